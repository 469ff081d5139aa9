#!/usr/bin/python3
"""Training-speed benchmark: `dncert train` against PyTorch and against raw DGEMM.

For each configuration and thread count it measures
  * ours   - ms/step of `dncert train --optimizer gd` (read from --out DIR/summary.json),
  * torch  - ms/step of the same GD loop in PyTorch float64 (bench/torch_dufm.py), started
             from the very same initial point, so the final losses must agree to rounding,
  * DGEMM  - the best single-call rate of `bench_dgemm d N d`, the dominant product shape,
             taken before and after each pair of runs; also of `bench_dgemm N d d`, the
             same product with the roles of rows and columns swapped (what PyTorch's
             row-major layout computes), reported beside it,
and reports our achieved GFLOP/s as a fraction of that same-run DGEMM rate. All three use
the OpenBLAS kernel dncert runs with for the configuration: dncert may pick the kernel by
problem (src/cli/blas_kernel.c), so it is read from the summary.json of the shared initial
point (`blas_kernel`) and exported to torch and bench_dgemm as OPENBLAS_CORETYPE.

Flops per GD step (one forward and one backward pass, products only):
    3 * 2 * N * (sum_{l<L} d_{l+1} d_l + K d_L)
i.e. one product per layer forward and two backward (dW_l = G H_l^T and dH_l = W_l^T G;
dH_1 is needed because H1 is trained). Entrywise work (ReLU, residual, norms, the update)
is O(N d L), a factor ~d smaller, and not counted.

Timings on the shared 2-vCPU machine are noisy, so every measurement is a best-of-N, and
each row records the load average and how many other processes were running. Targets
(issue 13): ahead of torch at every configuration, and at least 95% of the d N d DGEMM
rate on the large one. The exit
status is 1 when the two final losses disagree by more than LOSS_RTOL (then the two
programs did not run the same loop); missed speed targets are only reported.
Run with /usr/bin/python3 (numpy + torch):
    /usr/bin/python3 bench/bench_train.py [--quick] [--threads 1,2] [--dncert build/dncert]
"""
import argparse
import ctypes
import ctypes.util
import datetime
import glob
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH_DIR)
LAMBDA = "0.004"
INIT_STD = 0.1
SEED = 1

# name, K, n, L, d, steps, lr, repeats. lr is the largest "round" step that is stable for
# the whole run: 0.5 (dncert's default) on the small problems; on the large one (d = 512,
# N = 5000) the ReLU features have a large mean direction and 0.5 diverges, 0.01 does not.
CONFIGS = [
    ("small-L2", 10, 50, 2, 64, 2000, 0.5, 3),
    ("small-L4", 10, 50, 4, 64, 2000, 0.5, 3),
    ("small-L8", 10, 50, 8, 64, 2000, 0.5, 3),
    ("large-L4", 10, 500, 4, 512, 200, 0.01, 1),
]
TORCH_TARGET_RATIO = 1.0     # torch ms / our ms, every configuration: ahead of torch
LARGE_TARGET_PCT = 95.0      # our GFLOP/s as % of the d N d DGEMM on the large configuration
# Same start, same updates: only rounding separates the final losses (about 1e-16 seen);
# 1e-9 leaves room for its growth over 2000 steps but catches any difference in the loop.
LOSS_RTOL = 1e-9


def flops_per_step(K, n, L, d):
    N = K * n
    return 3 * 2 * N * ((L - 1) * d * d + K * d)


def find_binary(name, explicit):
    """Explicit path, else build/NAME, else the newest build*/NAME under the repository."""
    if explicit:
        return os.path.abspath(explicit)
    default = os.path.join(REPO, "build", name)
    if os.path.isfile(default):
        return default
    found = [p for p in glob.glob(os.path.join(REPO, "build*", name)) if os.access(p, os.X_OK)]
    if not found:
        sys.exit("bench_train: cannot find %s; build it (cmake --build BUILD) or pass its path" % name)
    return max(found, key=os.path.getmtime)


def openblas_corename():
    """Kernel OpenBLAS (DYNAMIC_ARCH) picks in this process: its choice for this CPU, or
    OPENBLAS_CORETYPE if that was in the environment when the library first loaded (the
    choice is fixed from then on, so later changes to os.environ do not show here)."""
    path = ctypes.util.find_library("openblas") or "libopenblas.so.0"
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return "unknown"


def dncert_kernel(dncert, env):
    """The OpenBLAS kernel dncert runs with, from `dncert --version` ("..., kernel NAME ...").
    dncert may re-execute itself with a better OPENBLAS_CORETYPE than the library's own
    choice (src/cli/blas_kernel.c); torch and bench_dgemm must then get the same kernel, or
    the comparison would measure two different DGEMMs. None when the version text has no
    kernel (older binaries)."""
    out = run([dncert, "--version"], env)
    words = out.replace(",", " ").split()
    return words[words.index("kernel") + 1] if "kernel" in words[:-1] else None


def cpu_model():
    """'model name (family F model M)' from /proc/cpuinfo: the VM is not always placed on
    the same hardware, and OpenBLAS's kernel choice depends on the family/model numbers."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, val = line.partition(":")
                info.setdefault(key.strip(), val.strip())
    except OSError:
        return platform.processor() or "unknown"
    return "%s (family %s model %s)" % (info.get("model name", "?"), info.get("cpu family", "?"),
                                        info.get("model", "?"))


def loadavg():
    return [round(x, 2) for x in os.getloadavg()]


def other_busy():
    """Names of other processes running on a CPU right now (state R in /proc/PID/stat).
    A snapshot, taken when nothing of ours runs, so anything listed competes with the
    benchmark for the 2 cores; the load average alone cannot tell it from our own runs."""
    names = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                stat = f.read()
        except OSError:
            continue
        # Format: pid (comm) state ...; comm may contain spaces, so split at the last ')'.
        comm, state = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:][:1]
        if state == "R":
            names.append(comm)
    return sorted(names)


def run(cmd, env):
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s failed (exit %d):\n%s%s" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
    return r.stdout


LOSS = "mse"   # --loss: the fit term of both programs


def problem_args(K, n, L, d):
    return ["--K", str(K), "--n", str(n), "--L", str(L), "--width", str(d), "--lambda", LAMBDA, "--loss", LOSS]


def ours_once(dncert, cfg, steps, threads, tmp, env):
    """One `dncert train` run; returns (ms_per_step, final loss, OpenBLAS kernel) from its
    summary.json (ms_per_step excludes the time of writing records, i.e. the collapse
    metrics of steps 0 and `steps`)."""
    name, K, n, L, d, _, lr, _ = cfg
    out = os.path.join(tmp, "run")
    run([dncert, "train"] + problem_args(K, n, L, d) +
        ["--lr", str(lr), "--steps", str(steps), "--threads", str(threads), "--seed", str(SEED),
         "--init-std", str(INIT_STD), "--quiet", "--log-every", str(steps), "--out", out, "--force"], env)
    with open(os.path.join(out, "summary.json")) as f:
        s = json.load(f)
    if s["status"] != "steps":
        raise RuntimeError("%s: dncert stopped with status %s" % (name, s["status"]))
    return s["ms_per_step"], s["loss"], s.get("blas_kernel")


def torch_once(cfg, steps, threads, init_dir, env):
    """One PyTorch run in a fresh interpreter (thread pools are fixed at import)."""
    _, K, n, L, d, _, lr, _ = cfg
    outp = run([sys.executable, os.path.join(BENCH_DIR, "torch_dufm.py"),
                "--K", str(K), "--n", str(n), "--L", str(L), "--width", str(d), "--lambda", LAMBDA,
                "--loss", LOSS, "--lr", str(lr), "--steps", str(steps), "--threads", str(threads),
                "--init", init_dir, "--json"], env)
    r = json.loads(outp.strip().splitlines()[-1])
    return r["ms_per_step"], r["final_loss"]


def dgemm_once(bench_dgemm, m, n, k, threads, env):
    """Best single-call GFLOP/s of an m x k times k x n product; ~0.5 s of calls at the
    slowest kernel's 15 GFLOP/s (less with faster ones), never fewer than 5."""
    reps = int(max(5, min(2000, 0.5 / (2.0 * m * n * k / 15e9))))
    words = run([bench_dgemm, str(m), str(n), str(k), str(threads), str(reps)], env).split()
    return float(words[words.index("gflops") + 1])


def have_torch():
    r = subprocess.run([sys.executable, "-c", "import torch"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return r.returncode == 0


def config_kernel(init_dir, dncert, env):
    """The kernel dncert chose for this configuration (summary.json of the initial point;
    `dncert --version` for binaries that do not record it)."""
    with open(os.path.join(init_dir, "summary.json")) as f:
        kernel = json.load(f).get("blas_kernel")
    return kernel or dncert_kernel(dncert, env)


def bench_config(cfg, threads_list, args, dncert, bench_dgemm, torch_ok, env, tmp):
    name, K, n, L, d, steps, lr, repeats = cfg
    if args.quick:
        steps, repeats = max(10, steps // 10), 1
    if args.repeats is not None:
        repeats = args.repeats
    init_dir = os.path.join(tmp, "init")
    # The shared initial point: dncert draws it from the seed, torch loads it.
    run([dncert, "train"] + problem_args(K, n, L, d) +
        ["--steps", "0", "--seed", str(SEED), "--init-std", str(INIT_STD), "--quiet",
         "--out", init_dir, "--force"], env)
    kernel = config_kernel(init_dir, dncert, env)
    # torch and bench_dgemm get dncert's kernel; dncert keeps making its own choice (an
    # exported OPENBLAS_CORETYPE would override it), checked against this one below.
    others = dict(env)
    if kernel and "OPENBLAS_CORETYPE" not in env:
        others["OPENBLAS_CORETYPE"] = kernel
    rows = []
    for T in threads_list:
        load, busy = loadavg(), other_busy()
        ours, tch, gem, gem_t = [], [], [], []
        loss_o = loss_t = None
        # Interleave the measurements so a load change hits all of them alike; DGEMM is
        # short, so it is taken before and after the long runs and the best rate is kept.
        for _ in range(repeats):
            gem.append(dgemm_once(bench_dgemm, d, K * n, d, T, others))
            gem_t.append(dgemm_once(bench_dgemm, K * n, d, d, T, others))
            ms, loss_o, used = ours_once(dncert, cfg, steps, T, tmp, env)
            if kernel and used and used != kernel:
                raise RuntimeError("%s: dncert ran with kernel %s, its initial point with %s" % (name, used, kernel))
            ours.append(ms)
            if torch_ok:
                ms, loss_t = torch_once(cfg, steps, T, init_dir, others)
                tch.append(ms)
            gem.append(dgemm_once(bench_dgemm, d, K * n, d, T, others))
            gem_t.append(dgemm_once(bench_dgemm, K * n, d, d, T, others))
        f = flops_per_step(K, n, L, d)
        row = {
            "config": name, "K": K, "n": n, "L": L, "d": d, "N": K * n, "steps": steps, "lr": lr,
            "threads": T, "repeats": repeats, "kernel": kernel, "load_before": load, "load_after": loadavg(),
            "busy_before": busy, "busy_after": other_busy(),
            "flops_per_step": f,
            "ours_ms": min(ours), "ours_ms_all": ours,
            "torch_ms": min(tch) if tch else None, "torch_ms_all": tch,
            "dgemm_gflops": max(gem), "dgemm_gflops_all": gem,
            "dgemm_ndd_gflops": max(gem_t), "dgemm_ndd_gflops_all": gem_t,
            "ours_loss": loss_o, "torch_loss": loss_t,
        }
        row["ours_gflops"] = f / (row["ours_ms"] * 1e-3) * 1e-9
        row["pct_of_dgemm"] = 100.0 * row["ours_gflops"] / row["dgemm_gflops"]
        row["pct_of_ndd"] = 100.0 * row["ours_gflops"] / row["dgemm_ndd_gflops"]
        row["ratio"] = row["torch_ms"] / row["ours_ms"] if tch else None
        row["loss_rel_diff"] = (abs(loss_o - loss_t) / abs(loss_o) if tch else None)
        rows.append(row)
        print_row(row)
        sys.stdout.flush()
    return rows


HEADER = ("| config | K n L d | steps | thr | kernel | ours ms/step | torch ms/step | torch/ours | ours GFLOP/s "
          "| DGEMM GFLOP/s | ours % DGEMM | N d d GFLOP/s | ours % N d d | loss rel.diff | load 1m | others busy |")


def fmt(x, spec, none="-"):
    return none if x is None else format(x, spec)


def print_row(r):
    print("| %s | %d %d %d %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.2f | %d/%d |" % (
        r["config"], r["K"], r["n"], r["L"], r["d"], r["steps"], r["threads"], r["kernel"] or "?",
        fmt(r["ours_ms"], ".3f"), fmt(r["torch_ms"], ".3f"), fmt(r["ratio"], ".2f"),
        fmt(r["ours_gflops"], ".1f"), fmt(r["dgemm_gflops"], ".1f"), fmt(r["pct_of_dgemm"], ".1f"),
        fmt(r["dgemm_ndd_gflops"], ".1f"), fmt(r["pct_of_ndd"], ".1f"),
        fmt(r["loss_rel_diff"], ".1e"), r["load_before"][0], len(r["busy_before"]), len(r["busy_after"])))


def verdicts(rows):
    """Lines stating whether each target is met (None where torch was unavailable)."""
    out = []
    for r in rows:
        if r["ratio"] is None:
            out.append("%s t=%d: torch not measured" % (r["config"], r["threads"]))
        else:
            ok = r["ratio"] > TORCH_TARGET_RATIO
            out.append("%s t=%d: torch/ours = %.2f (target > %.1f, ahead of torch): %s"
                       % (r["config"], r["threads"], r["ratio"], TORCH_TARGET_RATIO, "MET" if ok else "NOT MET"))
        if r["config"].startswith("large"):
            ok = r["pct_of_dgemm"] >= LARGE_TARGET_PCT
            out.append("%s t=%d: %.1f%% of DGEMM d N d (target >= %.0f%%): %s; %.1f%% of N d d"
                       % (r["config"], r["threads"], r["pct_of_dgemm"], LARGE_TARGET_PCT, "MET" if ok else "NOT MET",
                          r["pct_of_ndd"]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dncert", help="dncert binary (default build/dncert, else newest build*/dncert)")
    ap.add_argument("--bench-dgemm", help="bench_dgemm binary (default: next to dncert)")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    ap.add_argument("--configs", default=None,
                    help="comma-separated subset of: " + ", ".join(c[0] for c in CONFIGS))
    ap.add_argument("--quick", action="store_true", help="10x fewer steps, one repeat (smoke run)")
    ap.add_argument("--repeats", type=int, default=None, help="override best-of-N for every config")
    ap.add_argument("--no-torch", action="store_true", help="skip the PyTorch runs")
    ap.add_argument("--loss", choices=("mse", "ce"), default="mse", help="fit term of both programs (default mse)")
    ap.add_argument("--openblas-coretype", default=None,
                    help="set OPENBLAS_CORETYPE for every run (e.g. SkylakeX); SIGILLs on CPUs "
                         "without the instructions, so it is opt-in")
    ap.add_argument("--json-out", help="also write all measurements to this JSON file")
    args = ap.parse_args()
    global LOSS
    LOSS = args.loss

    dncert = find_binary("dncert", args.dncert)
    bench_dgemm = args.bench_dgemm or os.path.join(os.path.dirname(dncert), "bench_dgemm")
    if not os.access(bench_dgemm, os.X_OK):
        sys.exit("bench_train: %s missing; build the bench_dgemm target" % bench_dgemm)
    threads_list = [int(t) for t in args.threads.split(",")]
    configs = CONFIGS
    if args.configs:
        wanted = args.configs.split(",")
        unknown = set(wanted) - {c[0] for c in CONFIGS}
        if unknown:
            sys.exit("bench_train: unknown config(s) %s" % ", ".join(sorted(unknown)))
        configs = [c for c in CONFIGS if c[0] in wanted]

    env = dict(os.environ)
    # Each program sets its own thread count; a stray OPENBLAS_NUM_THREADS would override it.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "GOTO_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(var, None)
    # OpenBLAS's own choice on this CPU (honours an OPENBLAS_CORETYPE already exported).
    library_core = openblas_corename()
    if args.openblas_coretype:
        env["OPENBLAS_CORETYPE"] = args.openblas_coretype
    # dncert's kernel when no problem is involved; per configuration it may choose another
    # (column `kernel`, which torch and bench_dgemm then use too).
    used_core = dncert_kernel(dncert, env) or env.get("OPENBLAS_CORETYPE") or library_core
    torch_ok = not args.no_torch and have_torch()

    meta = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": platform.node(), "cpus": os.cpu_count(), "cpu": cpu_model(),
        "openblas_core": used_core, "openblas_library_default": library_core,
        "openblas_coretype_env": env.get("OPENBLAS_CORETYPE"),
        "dncert": dncert, "bench_dgemm": bench_dgemm, "quick": args.quick,
        "torch": torch_ok, "load_start": loadavg(), "command": " ".join([sys.executable] + sys.argv),
    }
    print("# %s  %d x %s  OpenBLAS kernel %s (library default %s, OPENBLAS_CORETYPE=%s; per configuration: "
          "column kernel)  load %s" % (
        meta["date"], meta["cpus"], meta["cpu"], used_core, library_core,
        meta["openblas_coretype_env"], meta["load_start"]))
    if not torch_ok:
        print("# torch not importable by %s (or --no-torch): torch columns skipped" % sys.executable)
    print(HEADER)
    print("|" + "|".join(["---"] * (HEADER.count("|") - 1)) + "|")
    rows = []
    tmp = tempfile.mkdtemp(prefix="dncert-bench-")
    try:
        for cfg in configs:
            rows += bench_config(cfg, threads_list, args, dncert, bench_dgemm, torch_ok, env, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    meta["load_end"] = loadavg()
    print("# load at end %s" % meta["load_end"])
    lines = verdicts(rows)
    bad = [r for r in rows if r["loss_rel_diff"] is not None and r["loss_rel_diff"] > LOSS_RTOL]
    for r in bad:
        lines.append("%s t=%d: final losses differ by %.1e (> %g): dncert %.17g, torch %.17g"
                     % (r["config"], r["threads"], r["loss_rel_diff"], LOSS_RTOL, r["ours_loss"], r["torch_loss"]))
    for line in lines:
        print("# " + line)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"meta": meta, "rows": rows, "verdicts": lines}, f, indent=1)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
