#!/usr/bin/python3
"""Independent mpmath implementation of the DNC closed form (closed-forms section 1,
docs/math/dnc.md), for timing and cross-checking `dncert closed-form dnc`.

It does the same job as dncert: the closed form, the explicit collapsed point and the
evaluation of the objective of docs/model.md at that point --

  1. P = n lambda_H prod_l lambda_{W_l} (exact, fractions.Fraction); exact alive test
     (L-1)^{L-1}/L^{2L} > K^{L+1} P;
  2. c* = the root in ((L-1)/L, 1) of p(c) = (1-c)^{L+1} c^{L-1} - K^{L+1} P, by bisection
     on the polynomial followed by Newton steps kept inside the bracket;
     f* = (1/2)(1-c*)(1+Lc*);
  3. nu = P^{1/(L+1)}, tau = nu c*^{2/(L+1)}, a = sqrt(tau/(n lambda_H)),
     s_l = sqrt(tau/lambda_{W_l});
  4. the explicit point as dense mpmath matrices at the given widths, collapsed form (one
     column per class, multiplicity n): H1 = a Q_1 (d_1 x K), W_l = s_l Q_{l+1} Q_l^T
     (d_{l+1} x d_l), W_L = s_L Q_L^T (K x d_L), Q_l the 0/1 embedding of class k at
     coordinate k;
  5. the objective at that point with dense matrix products and ReLU:
        f = 1/(2N) sum_k n ||z_k - e_k||^2 + (lambda_H/2) n ||H1||_F^2
            + sum_l (lambda_{W_l}/2) ||W_l||_F^2 ;
     with --grad also the gradient by back-propagation (per-sample for H1, total for W_l).

Plain floating point at mp.prec bits (default 256): no enclosures, so agreement with
dncert's balls is measured in digits, not proven. Nothing here imports dncert.

Usage:
  /usr/bin/python3 bench/mpmath_dnc.py --K 2 --n 5 --L 3 --width 10 --lambda 0.004
  /usr/bin/python3 bench/mpmath_dnc.py --K 10 --n 1 --L 8 --width 64 --repeats 3 --json
"""
import argparse
import json
import sys
import time
from fractions import Fraction

import mpmath
from mpmath import mp, mpf


def to_mpf(q):
    """Fraction -> mpf at the current precision (one rounding)."""
    return mpf(q.numerator) / q.denominator


def parse_rational(s):
    return Fraction(s)   # "0.004" -> 1/250 exactly, "1/250" as well


def closed_form(K, n, L, lam_h, lam_w):
    """Steps 1-3. Returns a dict of mpf scalars and the decision ('alive'/'tie'/'dead')."""
    P = n * lam_h
    for lw in lam_w:
        P *= lw
    Q = Fraction(K) ** (L + 1) * P
    theta = Fraction((L - 1) ** (L - 1), L ** (2 * L))   # (L-1)^{L-1}/L^{2L}, 0^0 = 1
    if theta < Q:
        return {"alive": "dead", "loss": mpf(1) / 2}
    if theta == Q:
        c = mpf(L - 1) / L
        alive = "tie"
    else:
        alive = "alive"
        Qm = to_mpf(Q)

        def p(x):
            return (1 - x) ** (L + 1) * x ** (L - 1) - Qm

        def dp(x):
            # d/dc (1-c)^{L+1} c^{L-1} = (1-c)^L c^{L-2} ((L-1)(1-c) - (L+1) c)
            return (1 - x) ** L * x ** (L - 2) * ((L - 1) * (1 - x) - (L + 1) * x) if L >= 2 \
                else -2 * (1 - x)

        lo, hi = mpf(L - 1) / L, mpf(1)   # p(lo) > 0 (alive), p(1) = -Q < 0
        for _ in range(40):               # 40 bisection steps: a start for Newton
            mid = (lo + hi) / 2
            if p(mid) > 0:
                lo = mid
            else:
                hi = mid
        c = (lo + hi) / 2
        tol = mpf(2) ** (-mp.prec + 4)
        for _ in range(64):
            step = p(c) / dp(c)
            cn = c - step
            if not (lo <= cn <= hi):      # keep inside the bracket (never happens here)
                cn = (lo + hi) / 2
            if p(cn) > 0:
                lo = cn
            else:
                hi = cn
            done = abs(cn - c) <= tol * abs(c)
            c = cn
            if done:
                break
    P_m = to_mpf(P)
    nu = mpmath.root(P_m, L + 1)
    tau = nu * c ** (mpf(2) / (L + 1))
    a = mpmath.sqrt(tau / (n * to_mpf(lam_h)))
    s = [mpmath.sqrt(tau / to_mpf(lw)) for lw in lam_w]
    fstar = (1 - c) * (1 + L * c) / 2
    if alive == "tie":
        fstar = mpf(1) / 2
    return {"alive": alive, "c": c, "nu": nu, "tau": tau, "a": a, "s": s, "loss": fstar}


def explicit_point(K, L, widths, cf):
    """Step 4: dense mpmath matrices of the collapsed DNC point (zero point when dead)."""
    H1 = mp.matrix(widths[0], K)
    W = []
    for l in range(1, L + 1):
        rows = widths[l] if l < L else K
        W.append(mp.matrix(rows, widths[l - 1]))
    if cf["alive"] != "dead":
        for k in range(K):
            H1[k, k] = cf["a"]
            for l in range(L):
                W[l][k, k] = cf["s"][l]   # s_l Q_{l+1} Q_l^T and s_L Q_L^T: ones at (k, k)
    return H1, W


def relu(M):
    R = mp.matrix(M.rows, M.cols)
    for i in range(M.rows):
        for j in range(M.cols):
            v = M[i, j]
            R[i, j] = v if v > 0 else mpf(0)
    return R


def sqnorm(M):
    return mpmath.fsum(M[i, j] ** 2 for i in range(M.rows) for j in range(M.cols))


def objective(K, n, L, lam_h, lam_w, H1, W, want_grad=False):
    """Step 5: f (and its gradient) at a collapsed point with multiplicity n per column."""
    N = K * n
    Hs, pres = [H1], [None]
    for l in range(L - 1):
        pre = W[l] * Hs[-1]                # dense product, d_{l+2} x K
        pres.append(pre)
        Hs.append(relu(pre))
    Z = W[L - 1] * Hs[-1]                  # K x K
    R = Z.copy()
    for k in range(K):
        R[k, k] -= 1
    fit = n * sqnorm(R) / (2 * N)
    reg = to_mpf(lam_h) * n * sqnorm(H1) / 2
    for l in range(L):
        reg += to_mpf(lam_w[l]) * sqnorm(W[l]) / 2
    out = {"loss": fit + reg, "fit": fit, "reg": reg}
    if want_grad:
        # dZ (summed over samples) = (n/N) R; backward through the layers.
        D = R * (mpf(n) / N)
        gW = [None] * L
        for l in range(L - 1, -1, -1):     # W[l] = W_{l+1}, input Hs[l]
            gW[l] = D * Hs[l].T + W[l] * to_mpf(lam_w[l])
            D = W[l].T * D                 # d f / d H_{l+1} (summed over samples)
            if l > 0:                      # through the ReLU of pre-activation pres[l]
                for i in range(D.rows):
                    for j in range(D.cols):
                        if not pres[l][i, j] > 0:   # derivative 0 taken at the kink
                            D[i, j] = mpf(0)
        gH1 = D * (mpf(1) / n) + H1 * to_mpf(lam_h)   # per-sample gradient of H1
        gmax = max([abs(x) for x in gH1] + [abs(x) for g in gW for x in g])
        out["grad_max_abs"] = gmax
    return out


def run(args):
    K, n, L = args.K, args.n, args.L
    widths = [int(w) for w in args.width.split(",")]
    if len(widths) == 1:
        widths = widths * L
    lam = parse_rational(args.lam)
    lam_h = parse_rational(args.lambda_h) if args.lambda_h else lam
    lam_w = [parse_rational(x) for x in args.lambda_w.split(",")] if args.lambda_w else [lam]
    if len(lam_w) == 1:
        lam_w = lam_w * L
    if len(widths) != L or len(lam_w) != L or min(widths) < K:
        sys.exit("mpmath_dnc: need L widths >= K and L weight decays")
    t0 = time.perf_counter()
    cf = closed_form(K, n, L, lam_h, lam_w)
    t1 = time.perf_counter()
    H1, W = explicit_point(K, L, widths, cf)
    t2 = time.perf_counter()
    ev = objective(K, n, L, lam_h, lam_w, H1, W, want_grad=False)
    t3 = time.perf_counter()
    res = {"cf": cf, "ev": ev, "t_closed": t1 - t0, "t_point": t2 - t1, "t_eval": t3 - t2,
           "t_loss": t3 - t0}
    if args.grad:
        t4 = time.perf_counter()
        cf2 = closed_form(K, n, L, lam_h, lam_w)
        H1, W = explicit_point(K, L, widths, cf2)
        evg = objective(K, n, L, lam_h, lam_w, H1, W, want_grad=True)
        res["t_loss_grad"] = time.perf_counter() - t4
        res["grad_max_abs"] = evg["grad_max_abs"]
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--K", type=int, default=2)
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--L", type=int, default=3)
    ap.add_argument("--width", default="10", help="one width or L comma-separated widths")
    ap.add_argument("--lambda", dest="lam", default="0.004", help="exact rational, e.g. 0.004 or 1/250")
    ap.add_argument("--lambda-h", default=None)
    ap.add_argument("--lambda-w", default=None, help="one value or L comma-separated values")
    ap.add_argument("--prec", type=int, default=256, help="mp.prec in bits (default 256)")
    ap.add_argument("--repeats", type=int, default=1, help="best of N in-process runs")
    ap.add_argument("--grad", action="store_true", help="also time loss + gradient (back-propagation)")
    ap.add_argument("--json", action="store_true", help="print one JSON object (full digits)")
    args = ap.parse_args()
    mp.prec = args.prec

    best = None
    for _ in range(max(1, args.repeats)):
        r = run(args)
        if best is None:
            best = r
        else:
            for key in ("t_closed", "t_point", "t_eval", "t_loss", "t_loss_grad"):
                if key in r:
                    best[key] = min(best[key], r[key])
    digits = int(args.prec * 0.30103)
    cf, ev = best["cf"], best["ev"]
    if args.json:
        out = {"prec": args.prec, "mpmath": mpmath.__version__, "backend": mpmath.libmp.BACKEND,
               "alive": cf["alive"], "closed_loss": mpmath.nstr(cf["loss"], digits, strip_zeros=False),
               "eval_loss": mpmath.nstr(ev["loss"], digits, strip_zeros=False),
               "c": mpmath.nstr(cf["c"], digits) if "c" in cf else None,
               "repeats": args.repeats}
        for key in ("t_closed", "t_point", "t_eval", "t_loss", "t_loss_grad"):
            if key in best:
                out["ms_" + key[2:]] = best[key] * 1e3
        if "grad_max_abs" in best:
            out["grad_max_abs"] = mpmath.nstr(best["grad_max_abs"], 5)
        print(json.dumps(out))
    else:
        print("alive       ", cf["alive"])
        print("f* (closed) ", mpmath.nstr(cf["loss"], 40, strip_zeros=False))
        print("f (point)   ", mpmath.nstr(ev["loss"], 40, strip_zeros=False))
        print("|diff|      ", mpmath.nstr(abs(cf["loss"] - ev["loss"]), 3))
        print("time        closed %.3f ms, point %.3f ms, eval %.3f ms, total %.3f ms (best of %d, mpmath %s, backend %s)"
              % (best["t_closed"] * 1e3, best["t_point"] * 1e3, best["t_eval"] * 1e3, best["t_loss"] * 1e3,
                 args.repeats, mpmath.__version__, mpmath.libmp.BACKEND))
        if "t_loss_grad" in best:
            print("loss+grad   %.3f ms, max |grad| %s" % (best["t_loss_grad"] * 1e3,
                                                        mpmath.nstr(best["grad_max_abs"], 5)))


if __name__ == "__main__":
    main()
