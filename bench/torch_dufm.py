#!/usr/bin/python3
"""Reference DUFM trainer in PyTorch (float64), for timing against `dncert train`.

It runs the same full-batch gradient-descent loop as `dncert train --optimizer gd`
(docs/model.md): parameters H1 (d1 x N) and W_1..W_L, forward H_{l+1} = relu(W_l H_l),
Z = W_L H_L, loss

    f = 1/(2N) ||Z - Y||_F^2 + lambda/2 (||H1||_F^2 + sum_l ||W_l||_F^2),

gradients by autograd and torch.optim.SGD(lr) without momentum. The weight decay is
part of the loss (as in dncert), not SGD's weight_decay, so both programs compute the
same iterates up to rounding.

The loop is written the way a PyTorch user would write it (no fusion tricks), because
the point of the comparison is "what does the obvious PyTorch program cost".

Run with /usr/bin/python3 (the Debian torch). Standalone example:
    /usr/bin/python3 bench/torch_dufm.py --K 10 --n 50 --L 4 --width 64 --lr 0.5 --steps 2000 --threads 1
--init DIR starts from the point saved by `dncert train --steps 0 --out DIR`, so the final
loss can be compared with dncert's; --json prints one machine-readable line (used by
bench/bench_train.py). torch does its float64 products in the system OpenBLAS; dncert may
run that library with a better kernel than the library's own choice (`dncert --version`
shows it), so for a fair comparison by hand pass the same --openblas-coretype (or export
OPENBLAS_CORETYPE); bench_train.py does this itself.
"""
import argparse
import json
import os
import sys
import time


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--K", type=int, default=10, help="classes (default 10)")
    ap.add_argument("--n", type=int, default=50, help="samples per class (default 50)")
    ap.add_argument("--L", type=int, default=4, help="number of weight matrices (default 4)")
    ap.add_argument("--width", type=int, default=64, help="width d of every feature layer (default 64)")
    ap.add_argument("--lambda", dest="lam", type=float, default=0.004,
                    help="weight decay of H1 and every W_l (default 0.004)")
    ap.add_argument("--loss", choices=("mse", "ce"), default="mse",
                    help="fit term: mse 1/(2N)||Z - Y||^2, or ce (1/N) sum_j CE via F.cross_entropy (default mse)")
    ap.add_argument("--lr", type=float, default=0.5, help="SGD step size (default 0.5)")
    ap.add_argument("--steps", type=int, default=2000, help="GD updates (default 2000)")
    ap.add_argument("--warmup", type=int, default=None,
                    help="leading steps excluded from the timing (default: min(20, steps/10))")
    ap.add_argument("--threads", type=int, default=1, help="torch and OpenBLAS threads (default 1)")
    ap.add_argument("--seed", type=int, default=1, help="torch RNG seed of the initial point (default 1)")
    ap.add_argument("--init-std", type=float, default=0.1, help="initial entries ~ N(0, S^2) (default 0.1)")
    ap.add_argument("--init", metavar="DIR", default=None,
                    help="start from H1.npy, W1.npy, ... written by `dncert train --out DIR`")
    ap.add_argument("--openblas-coretype", metavar="NAME", default=None,
                    help="OpenBLAS kernel to load (sets OPENBLAS_CORETYPE), e.g. SkylakeX")
    ap.add_argument("--json", action="store_true", help="print one JSON line instead of text")
    a = ap.parse_args(argv)
    if a.warmup is None:
        a.warmup = min(20, a.steps // 10)
    if not 0 <= a.warmup < a.steps:
        ap.error("need 0 <= warmup < steps")
    return a


def configure_blas(threads, coretype):
    """Must run before torch is imported: the Debian torch does its float64 matmuls in the
    system OpenBLAS (pthread build), whose pool size and kernel are read from the
    environment when the library loads; torch.set_num_threads only sets OpenMP's."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    if coretype:
        os.environ["OPENBLAS_CORETYPE"] = coretype


def make_params(torch, a):
    """Returns [H1, W_1, ..., W_L] as float64 leaf tensors that require gradients."""
    N, d = a.K * a.n, a.width
    shapes = [(d, N)] + [(d, d)] * (a.L - 1) + [(a.K, d)]
    if a.init is not None:
        import numpy as np
        names = ["H1"] + ["W%d" % l for l in range(1, a.L + 1)]
        arrays = [np.load(os.path.join(a.init, nm + ".npy")) for nm in names]
        for nm, arr, shp in zip(names, arrays, shapes):
            if arr.shape != shp:
                raise SystemExit("%s/%s.npy has shape %s, expected %s" % (a.init, nm, arr.shape, shp))
        # dncert writes column-major arrays; copy to the row-major layout torch expects.
        tensors = [torch.from_numpy(np.ascontiguousarray(arr)) for arr in arrays]
    else:
        g = torch.Generator().manual_seed(a.seed)
        tensors = [torch.randn(shp, generator=g, dtype=torch.float64) * a.init_std for shp in shapes]
    return [t.clone().requires_grad_(True) for t in tensors]


def loss_fn(torch, params, Y, lam, loss="mse"):
    """f = fit + lam/2 (sum of squared norms of all parameters), fit = 1/(2N)||Z - Y||^2
    (mse) or (1/N) sum_j CE(z_j, y_j) = F.cross_entropy(Z^T, labels), its mean (ce)."""
    H = params[0]
    for W in params[1:-1]:
        H = torch.relu(W @ H)
    Z = params[-1] @ H
    N = Y.shape[1]
    if loss == "ce":
        fit = torch.nn.functional.cross_entropy(Z.t(), Y.argmax(dim=0))
    else:
        fit = (Z - Y).pow(2).sum() / (2 * N)
    reg = sum(p.pow(2).sum() for p in params) * (lam / 2)
    return fit + reg


def run(a):
    """Trains and returns a dict with the timing and the final loss."""
    configure_blas(a.threads, a.openblas_coretype)
    try:
        import torch
    except ImportError:
        raise SystemExit("torch_dufm: %s cannot import torch; use /usr/bin/python3" % sys.executable)
    torch.set_num_threads(a.threads)

    N = a.K * a.n
    labels = torch.arange(a.K).repeat_interleave(a.n)           # columns ordered by class
    Y = torch.nn.functional.one_hot(labels, a.K).T.to(torch.float64).contiguous()
    params = make_params(torch, a)
    opt = torch.optim.SGD(params, lr=a.lr, momentum=0.0)

    t0 = None
    for step in range(a.steps):
        if step == a.warmup:
            t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(torch, params, Y, a.lam, a.loss)
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - t0
    timed = a.steps - a.warmup
    with torch.no_grad():
        final = loss_fn(torch, params, Y, a.lam, a.loss).item()   # loss after `steps` updates
    return {
        "ms_per_step": 1e3 * seconds / timed,
        "timed_steps": timed,
        "warmup": a.warmup,
        "steps": a.steps,
        "threads": a.threads,
        "torch_threads": torch.get_num_threads(),
        "final_loss": final,
        "torch_version": torch.__version__,
        "N": N,
    }


def main(argv=None):
    a = parse_args(argv)
    r = run(a)
    if a.json:
        print(json.dumps(r))
    else:
        print("torch %s  K=%d n=%d L=%d d=%d  threads %d  %d steps (%d timed)  %.4f ms/step  final loss %.16e"
              % (r["torch_version"], a.K, a.n, a.L, a.width, a.threads, a.steps, r["timed_steps"],
                 r["ms_per_step"], r["final_loss"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
