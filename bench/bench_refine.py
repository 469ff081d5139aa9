#!/usr/bin/env python3
"""From a finished `dncert train` run to a verified critical_point certificate, against
continuing the trainer (issue 10, "Speed"; results in docs/refine.md §8).

For each configuration (K = 3, L = 4, width 10 by L-BFGS; K = 6, L = 4, widths 10, 20 and 30 by
gradient descent, width 10 refined with --kink-tol 0.05, width 30 trained 900 000 steps more and
refined with --tol 1e-11; K = 9, L = 4, width 20 by L-BFGS then
2.5 M momentum steps; n = 1, lambda = 1/250) this script,
in one run:
  1. trains the start point (not timed against anything);
  2. times `dncert refine` (double stage + 256-bit stage) and reads its record: stationary,
     max |KKT residual| in double, the 256-bit residual and the proven digits of the loss
     (a refine that has not finished after --limit seconds is stopped; its Newton steps so far
     and their time are reported);
  3. times `dncert certify-point --critical` on the refined run (which runs the verifier on
     what it writes) and `dncert-verify` alone on the certificate, and reads the verdicts of
     critical_point and kink_multipliers; then both again with the ball path alone
     (DNCERT_CRITICAL_METHOD=ball), for the ratio of the double path (docs/refine.md §7.9);
  4. continues the trainer from the same run for about the refinement's wall time -- L-BFGS
     and plain gradient descent (lr 0.5) via `train --init` -- and reads its final gradient
     norm and loss;
and prints one table: the refinement's seconds and residual against the trainer's gradient
norm after the same time, and the ratios.

Usage: python3 bench/bench_refine.py [--dncert build/dncert] [--quick] [--configs NAME,...] [--limit SECONDS]
                                    [--json-out FILE]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

LBFGS = ["--optimizer", "lbfgs", "--init-std", "0.5", "--steps", "5000"]
GD = ["--lr", "0.05", "--init-std", "fan-in", "--steps", "100000"]
LBFGS_PLAIN = ["--optimizer", "lbfgs", "--steps", "5000"]
GD_MORE = ["--lr", "0.05", "--steps", "900000"]   # width 30: GD is still descending after 100 000 steps
MOMENTUM = ["--optimizer", "momentum", "--lr", "0.05", "--momentum", "0.9", "--steps", "2500000", "--log-every", "1000"]
CONFIGS = [  # name, K, L, width, seed, how the start point is trained (docs/theorems.md, small-k-low-rank),
    # extra refine arguments
    ("K3-L4-w10", 3, 4, 10, 5, LBFGS, []),
    ("K6-L4-w10", 6, 4, 10, 5, GD, ["--kink-tol", "0.05"]),   # converges from 100 000 GD steps (refine.md §2)
    ("K6-L4-w20", 6, 4, 20, 3, GD, []),
    # 100 000 + 900 000 GD steps; the double stage stalls near 6e-12 (refine.md §4), so --tol 1e-11
    ("K6-L4-w30", 6, 4, 30, 3, (GD, GD_MORE), ["--tol", "1e-11"]),
    # L-BFGS, then 2.5 M momentum steps from it (a second stage: train --init); 762 unknowns
    ("K9-L4-w20", 9, 4, 20, 2, (LBFGS_PLAIN, MOMENTUM), []),
]


def run(cmd, env, timeout=None):
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        p = subprocess.CompletedProcess(cmd, -1, e.stdout or "", (e.stderr or b"").decode() if isinstance(e.stderr, bytes) else (e.stderr or ""))
    return time.perf_counter() - t0, p


def summary(d):
    with open(os.path.join(d, "summary.json")) as f:
        return json.load(f)


def verdict(cert, kind):
    if not os.path.exists(cert):
        return "no file"
    with open(cert) as f:
        c = json.load(f)
    for cl in c.get("claims", []):
        if cl.get("kind") == kind:
            return cl.get("verdict", "?")
    return "absent"


def problem_args(K, L, W):
    return ["--K", str(K), "--n", "1", "--L", str(L), "--width", str(W), "--lambda", "1/250"]


def one(dncert, verify, name, K, L, W, seed, recipe, rextra, tmp, env, limit):
    stages = recipe if isinstance(recipe, tuple) else (recipe,)
    r = {"config": name, "K": K, "L": L, "width": W, "seed": seed, "recipe": " then ".join(" ".join(x) for x in stages),
         "refine_args": " ".join(rextra)}
    start = os.path.join(tmp, name)
    t, p = run([dncert, "train", *problem_args(K, L, W), *stages[0], "--seed", str(seed), "--quiet", "--out", start,
                "--force"], env)
    for k, more in enumerate(stages[1:]):   # continued from the run so far (train --init)
        if p.returncode != 0:
            break
        t2, p = run([dncert, "train", "--init", start, *more, "--quiet", "--out", f"{start}-{k + 2}", "--force"], env)
        t += t2
        start = f"{start}-{k + 2}"
    if p.returncode != 0:
        sys.exit(f"train failed: {p.stderr}")
    s = summary(start)
    r.update(start_loss=s["loss"], start_grad_norm=s["grad_norm"], train_seconds=t)
    refined = start + "-refined"
    t, p = run([dncert, "refine", start, "--out", refined, "--force", *rextra], env, timeout=limit)
    steps = p.stderr.count("Newton step")
    r.update(newton_steps_seen=steps, seconds_per_newton_step=t / steps if steps else float("nan"))
    if p.returncode == -1:   # not finished within the limit: what it did so far
        r.update(refine_seconds=t, refine_exit="timeout", stationary=None, critical_point="not reached",
                 kink_multipliers="not reached", certify_seconds=float("nan"), critical_message=
                 f"refine stopped after {t:.0f} s (--limit): {steps} Newton steps, {t / max(steps, 1):.1f} s each")
        r["lbfgs"] = r["gd"] = {"steps": 0, "seconds": 0, "grad_norm": float("nan"), "loss": float("nan")}
        return r
    s = summary(refined)
    rf, hp = s.get("refine") or {}, s.get("high_precision") or {}
    r.update(refine_seconds=t, refine_exit=p.returncode, stationary=rf.get("stationary"),
             kkt_residual=rf.get("residual"), hp_residual_log10=hp.get("residual_log10"),
             loss_digits=hp.get("loss_digits"), refined_loss=rf.get("loss"))
    cert = os.path.join(tmp, name + ".cert.json")
    t, p = run([dncert, "certify-point", refined, "--critical", "--out", cert, "--force"], env)
    r.update(certify_seconds=t, critical_point=verdict(cert, "critical_point"),
             kink_multipliers=verdict(cert, "kink_multipliers"))
    line = [x for x in p.stdout.splitlines() if x.startswith("critical")]
    r["critical_message"] = line[0] if line else p.stderr.strip()[:300]
    if os.path.exists(cert):
        t, p = run([verify, cert, "--quiet"], env)
        r.update(verify_seconds=t, verify_exit=p.returncode)
    # the same with the ball path alone (DNCERT_CRITICAL_METHOD=ball: docs/refine.md §7.9), for the ratio
    ball = dict(env, DNCERT_CRITICAL_METHOD="ball")
    cert_b = os.path.join(tmp, name + ".ball.json")
    t, p = run([dncert, "certify-point", refined, "--critical", "--out", cert_b, "--force"], ball)
    r.update(ball_certify_seconds=t, ball_critical_point=verdict(cert_b, "critical_point"))
    if os.path.exists(cert_b):
        t, p = run([verify, cert_b, "--quiet"], ball)
        r.update(ball_verify_seconds=t)
    budget = r["refine_seconds"]
    for opt, extra in (("lbfgs", ["--optimizer", "lbfgs"]), ("gd", ["--lr", "0.5"])):
        cont = start + "-" + opt
        # steps for about the refinement's wall time: measured rate of a short probe run
        t1, p = run([dncert, "train", "--init", start, *extra, "--steps", "200", "--quiet", "--out", cont, "--force"],
                    env)
        per = max(t1 / 200, 1e-6)
        n = max(200, int(budget / per))
        t, p = run([dncert, "train", "--init", start, *extra, "--steps", str(n), "--quiet", "--out", cont,
                    "--force"], env)
        s = summary(cont)
        # steps actually taken (L-BFGS stops early when it stalls in double)
        r[opt] = {"steps": s.get("steps", n), "asked": n, "seconds": t, "grad_norm": s["grad_norm"], "loss": s["loss"],
                  "status": s.get("status")}
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dncert", default="build/dncert")
    ap.add_argument("--quick", action="store_true", help="only the small configuration")
    ap.add_argument("--configs", help="comma-separated configuration names (default: all)")
    ap.add_argument("--limit", type=float, default=900, help="seconds allowed to one refine (default 900)")
    ap.add_argument("--json-out")
    a = ap.parse_args()
    verify = os.path.join(os.path.dirname(a.dncert), "dncert-verify")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        chosen = CONFIGS[:1] if a.quick else CONFIGS
        if a.configs:
            names = a.configs.split(",")
            chosen = [c for c in CONFIGS if c[0] in names]
            if len(chosen) != len(names):
                sys.exit(f"bench_refine.py: --configs: unknown name among {a.configs} (known: "
                         f"{', '.join(c[0] for c in CONFIGS)})")
        for cfg in chosen:
            print(f"bench_refine: {cfg[0]} ...", file=sys.stderr)
            rows.append(one(a.dncert, verify, *cfg, tmp, env, a.limit))
    print("| config | start loss / grad | refine s | stationary | KKT residual (double) | 256-bit residual | "
          "loss digits | certify-point --critical s | critical_point | kink_multipliers | verify s | "
          "L-BFGS same time: grad | GD same time: grad | grad ratio L-BFGS / refine residual |")
    print("|" + "---|" * 14)
    for r in rows:
        if r["refine_exit"] == "timeout":
            print(f"| {r['config']} | {r['start_loss']:.9f} / {r['start_grad_norm']:.1e} | > {r['refine_seconds']:.0f} "
                  f"| (not finished) | | | | | | | | | | |")
            print(f"  {r['config']}: {r['critical_message']}")
            continue
        res = r.get("kkt_residual") or float("nan")
        print(f"| {r['config']} | {r['start_loss']:.9f} / {r['start_grad_norm']:.1e} | {r['refine_seconds']:.2f} | "
              f"{r['stationary']} | {res:.1e} | 1e{r.get('hp_residual_log10') or float('nan'):.1f} | "
              f"{r.get('loss_digits') or float('nan'):.1f} | {r['certify_seconds']:.2f} | {r['critical_point']} | "
              f"{r['kink_multipliers']} | {r.get('verify_seconds', float('nan')):.2f} | "
              f"{r['lbfgs']['grad_norm']:.1e} ({r['lbfgs']['steps']} steps, {r['lbfgs']['seconds']:.2f} s) | "
              f"{r['gd']['grad_norm']:.1e} ({r['gd']['steps']} steps, {r['gd']['seconds']:.2f} s) | "
              f"{r['lbfgs']['grad_norm'] / res:.1e} |")
        print(f"  {r['config']}: {r['critical_message']}")
    print()
    print("| config | certify-point --critical s: default (double path first) | ball path only | ratio | "
          "critical_point: default / ball only | dncert-verify s: default | ball path only | ratio |")
    print("|" + "---|" * 8)
    for r in rows:
        if r["refine_exit"] == "timeout":
            continue
        cb, vb = r.get("ball_certify_seconds", float("nan")), r.get("ball_verify_seconds", float("nan"))
        vd = r.get("verify_seconds", float("nan"))
        # a ratio only where both paths decide the same claim (the ball path stops at 800 unknowns)
        same = r['critical_point'] == r.get('ball_critical_point') == "certified"
        rc = f"{cb / r['certify_seconds']:.1f}" if same else "-"
        rv = f"{vb / vd:.1f}" if same else "-"
        print(f"| {r['config']} | {r['certify_seconds']:.2f} | {cb:.2f} | {rc} | "
              f"{r['critical_point']} / {r.get('ball_critical_point')} | {vd:.2f} | {vb:.2f} | {rv} |")
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
