#!/usr/bin/python3
"""Closed-form benchmark: dncert's certified DNC closed form against an mpmath
implementation of the same closed form (bench/mpmath_dnc.py).

The job, for each configuration: the DNC closed form (exact alive decision, c*, f*, the
balanced scales), the explicit collapsed point at the given widths, and the objective
evaluated at that point. It is timed two ways:

  * in-process (the main numbers): bench_closed (C, dnc_closed_dnc + dnc_ball_eval with
    the loss only, and separately with loss + gradient) against mpmath_dnc.py's own
    timer around closed form + point + evaluation (loss only, and loss + gradient by
    back-propagation); best of N repetitions each, interpreter start-up and imports
    excluded;
  * whole command, start-up included: `dncert closed-form dnc ...` (which also runs the
    cross-check, i.e. evaluates the point twice, and prints JSON) against
    `python3 bench/mpmath_dnc.py ...` (interpreter start-up and `import mpmath` included).

Digits = agreement of dncert's evaluated loss (ball midpoint) with mpmath's evaluated
loss, -log10(|a - b| / |a|). The issue's target: K=10, L=8, width 64 at 256 bits in
under 1 s (in-process and whole command are both checked).

    /usr/bin/python3 bench/bench_closed.py [--quick] [--json-out FILE] [--bench-closed PATH]
"""
import argparse
import datetime
import glob
import json
import os
import platform
import subprocess
import sys
import time

import mpmath
from mpmath import mpf

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH_DIR)
MPMATH_DNC = os.path.join(BENCH_DIR, "mpmath_dnc.py")
TARGET_S = 1.0

# name, K, n, L, width, lambda, prec, (C repeats, mpmath repeats, whole-command repeats)
CONFIGS = [
    ("K2-L3-w10-ref", 2, 5, 3, 10, "0.004", 256, (20, 5, 5)),
    ("K10-L4-w10", 10, 1, 4, 10, "0.004", 256, (20, 5, 5)),
    ("K10-L8-w64", 10, 1, 8, 64, "0.004", 256, (20, 5, 5)),      # the target
    ("K10-n50-L8-w64", 10, 50, 8, 64, "0.004", 256, (20, 3, 3)),
    ("K10-L8-w64-512b", 10, 1, 8, 64, "0.004", 512, (10, 2, 2)),
    ("K10-L8-w64-1024b", 10, 1, 8, 64, "0.004", 1024, (10, 2, 2)),
    ("K30-L8-w64", 30, 1, 8, 64, "0.001", 256, (10, 1, 1)),       # lambda 0.004 is dead at K=30, L=8
]
TARGET_CONFIG = "K10-L8-w64"
REF = ("K2-L3-w10-ref", "0.023853593128578949378790180100123856997")


def find_binary(name, explicit):
    """Explicit path, else build/NAME, else the newest build*/NAME under the repository."""
    if explicit:
        return os.path.abspath(explicit)
    default = os.path.join(REPO, "build", name)
    if os.path.isfile(default) and os.access(default, os.X_OK):
        return default
    found = [p for p in glob.glob(os.path.join(REPO, "build*", name)) if os.access(p, os.X_OK)]
    if not found:
        sys.exit("bench_closed: cannot find %s; build it (cmake --build BUILD --target %s) or pass its path"
                 % (name, name))
    return max(found, key=os.path.getmtime)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run_c(exe, K, n, L, w, lam, prec, reps):
    out = subprocess.run([exe, str(K), str(n), str(L), str(w), lam, str(prec), str(reps)],
                         capture_output=True, text=True, check=True).stdout
    kv = dict(line.split(" ", 1) for line in out.strip().splitlines())
    return {"ms_closed": float(kv["ms_closed"]), "ms_loss": float(kv["ms_loss"]),
            "ms_loss_grad": float(kv["ms_loss_grad"]), "closed_loss": kv["closed_loss"],
            "eval_loss": kv["eval_loss"], "overlap": kv["overlap"] == "1",
            "grad_max_radius": float(kv["grad_max_radius"])}


def problem_args(K, n, L, w, lam):
    return ["--K", str(K), "--n", str(n), "--L", str(L), "--width", str(w), "--lambda", lam]


def run_mpmath(K, n, L, w, lam, prec, reps):
    cmd = [sys.executable, MPMATH_DNC] + problem_args(K, n, L, w, lam) + \
          ["--prec", str(prec), "--repeats", str(reps), "--grad", "--json"]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def time_command(cmd, reps):
    """Best-of-reps wall time in ms of a whole process (start-up included); returns (ms, stdout)."""
    best, out = None, None
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    for _ in range(reps):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        dt = (time.perf_counter() - t0) * 1e3
        if r.returncode != 0:
            sys.exit("bench_closed: %s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr))
        if best is None or dt < best:
            best = dt
        out = r.stdout
    return best, out


def ball_mid(s):
    """'[0.123 +/- 4.5e-77]' or '0.5' -> the midpoint string."""
    s = s.strip()
    if s.startswith("["):
        s = s[1:].split("+/-")[0].strip()
    return s


def agree_digits(a, b, prec):
    with mpmath.workprec(prec + 64):
        x, y = mpf(a), mpf(b)
        if x == y:
            return float(int(prec * 0.30103))   # equal to every printed digit
        return float(-mpmath.log10(abs(x - y) / abs(x)))


def main():
    ap = argparse.ArgumentParser(description="dncert closed form vs mpmath")
    ap.add_argument("--dncert", help="dncert binary (default: the one next to bench_closed)")
    ap.add_argument("--bench-closed", help="bench_closed binary (default build/bench_closed, else newest build*/)")
    ap.add_argument("--configs", help="comma-separated subset of: " + ", ".join(c[0] for c in CONFIGS))
    ap.add_argument("--quick", action="store_true", help="one repetition everywhere")
    ap.add_argument("--no-command", action="store_true", help="skip the whole-command timings")
    ap.add_argument("--json-out", help="write every measurement to this file")
    args = ap.parse_args()

    bench = find_binary("bench_closed", args.bench_closed)
    dncert = os.path.abspath(args.dncert) if args.dncert else os.path.join(os.path.dirname(bench), "dncert")
    if not os.access(dncert, os.X_OK):
        dncert = find_binary("dncert", None)
    configs = CONFIGS
    if args.configs:
        want = args.configs.split(",")
        configs = [c for c in CONFIGS if c[0] in want]
        if len(configs) != len(want):
            sys.exit("bench_closed: unknown configuration in --configs")

    started = datetime.datetime.now().astimezone()
    print("bench_closed: %s, %d CPUs, load %s, %s" % (cpu_model(), os.cpu_count(),
          " ".join("%.2f" % x for x in os.getloadavg()), started.strftime("%Y-%m-%d %H:%M %Z")))
    print("  bench_closed = %s\n  dncert       = %s\n  mpmath %s (backend %s), python %s"
          % (bench, dncert, mpmath.__version__, mpmath.libmp.BACKEND, platform.python_version()))
    rows = []
    for name, K, n, L, w, lam, prec, (rc, rm, rx) in configs:
        if args.quick:
            rc, rm, rx = 1, 1, 1
        load = os.getloadavg()[0]
        c = run_c(bench, K, n, L, w, lam, prec, rc)
        m = run_mpmath(K, n, L, w, lam, prec, rm)
        row = {"config": name, "K": K, "n": n, "L": L, "width": w, "lambda": lam, "prec": prec,
               "load1": load, "repeats": {"c": rc, "mpmath": rm, "command": rx}, "dncert": c, "mpmath": m}
        row["digits_eval"] = agree_digits(ball_mid(c["eval_loss"]), m["eval_loss"], prec)
        row["digits_closed"] = agree_digits(ball_mid(c["closed_loss"]), m["closed_loss"], prec)
        row["ratio_loss"] = m["ms_loss"] / c["ms_loss"]
        row["ratio_loss_grad"] = m["ms_loss_grad"] / c["ms_loss_grad"]
        if not args.no_command:
            pa = problem_args(K, n, L, w, lam)
            row["cmd_dncert_ms"], _ = time_command([dncert, "closed-form", "dnc"] + pa + ["--prec", str(prec)], rx)
            row["cmd_mpmath_ms"], _ = time_command([sys.executable, MPMATH_DNC] + pa + ["--prec", str(prec)], rx)
            row["cmd_ratio"] = row["cmd_mpmath_ms"] / row["cmd_dncert_ms"]
        rows.append(row)
        print("  done %-18s load %.2f" % (name, load), file=sys.stderr)

    hdr = ("| config | bits | closed form only: dncert ms | mpmath ms "
           "| closed form + point + loss: dncert ms | mpmath ms | ratio "
           "| + gradient: dncert ms | mpmath ms | ratio "
           "| whole command: dncert ms | mpmath ms | ratio | digits | load |")
    print()
    print(hdr)
    print("|" + "---|" * (hdr.count("|") - 1))
    for r in rows:
        cmd = ("%.1f | %.0f | %.0fx" % (r["cmd_dncert_ms"], r["cmd_mpmath_ms"], r["cmd_ratio"])
               if "cmd_ratio" in r else "- | - | -")
        print("| %s (K=%d n=%d L=%d d=%d lambda=%s) | %d | %.2f | %.2f | %.2f | %.1f | %.0fx | %.2f | %.1f | %.0fx "
              "| %s | %.0f | %.2f |"
              % (r["config"], r["K"], r["n"], r["L"], r["width"], r["lambda"], r["prec"],
                 r["dncert"]["ms_closed"], r["mpmath"]["ms_closed"],
                 r["dncert"]["ms_loss"], r["mpmath"]["ms_loss"], r["ratio_loss"],
                 r["dncert"]["ms_loss_grad"], r["mpmath"]["ms_loss_grad"], r["ratio_loss_grad"],
                 cmd, r["digits_eval"], r["load1"]))
    print()
    ok = True
    for r in rows:
        problems = []
        if not r["dncert"]["overlap"]:
            problems.append("dncert's evaluated ball misses its closed-form ball")
        need = 60 if r["prec"] <= 256 else int(r["prec"] * 0.30103) - 20
        if r["digits_eval"] < need or r["digits_closed"] < need:
            problems.append("only %.0f/%.0f digits agree (need %d)" % (r["digits_eval"], r["digits_closed"], need))
        if problems:
            ok = False
            print("FAIL %s: %s" % (r["config"], "; ".join(problems)))
    for r in rows:
        if r["config"] == REF[0]:
            d = agree_digits(ball_mid(r["dncert"]["eval_loss"]), REF[1], 256)
            e = agree_digits(r["mpmath"]["eval_loss"], REF[1], 256)
            good = d >= 37 and e >= 37
            ok = ok and good
            print("%s spec reference %s: dncert %.0f digits, mpmath %.0f digits (reference has 38)"
                  % ("ok  " if good else "FAIL", REF[1], d, e))
    for r in rows:
        if r["config"] == TARGET_CONFIG:
            t = r["dncert"]["ms_loss"] / 1e3
            tc = r.get("cmd_dncert_ms", 0.0) / 1e3
            good = t < TARGET_S and tc < TARGET_S
            ok = ok and good
            print("%s target: K=10 L=8 width 64 at 256 bits in < %.0f s: closed form + point + loss %.2f ms "
                  "in-process, whole `dncert closed-form dnc` %.1f ms; mpmath/dncert = %.0fx (loss), %.0fx (loss+grad), "
                  "%.0fx (whole command)"
                  % ("ok  " if good else "FAIL", TARGET_S, t * 1e3, tc * 1e3, r["ratio_loss"],
                     r["ratio_loss_grad"], r.get("cmd_ratio", float("nan"))))
    print("load average at the end: %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"started": started.isoformat(), "cpu": cpu_model(), "cpus": os.cpu_count(),
                       "mpmath": mpmath.__version__, "mpmath_backend": mpmath.libmp.BACKEND,
                       "python": platform.python_version(), "bench_closed": bench, "dncert": dncert,
                       "load_end": os.getloadavg(), "rows": rows, "ok": ok}, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
