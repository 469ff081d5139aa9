#!/usr/bin/env python3
"""Null directions of the KKT system at a refined point (a diagnostic, in double; proves nothing).

    /usr/bin/python3 scripts/null-directions.py RUN_DIR2/point-exact.json

For the exact point that `dncert refine` wrote (MSE, ReLU hidden layers, no bias), this
script decides the pattern (kinks: |u| <= 2^-128 max|u|), drops the dead units, builds the
KKT Jacobian of f_0 + sum_e mu_e ubar_e on the pattern manifold M in double (torch
autograd), and compares its null space with the tangents of the known symmetries:

  rotations   pairs of live units of one layer with the same pattern (layer 1: every pair);
  kink-preserving rotations of the units that are linear on the data: in a ReLU layer, the
              live units whose pattern has no P- entry (P+ and kinks only; there relu(u) = u
              on M). Every skew A on them with (A U)_e = 0 at their kinks e (U: the layer's
              pre-activations, kink entries 0) turns W_{l-1} -> exp(tA) W_{l-1},
              W_l -> W_l exp(-tA) without moving any kink, any product W_l H_l, or any norm
              (docs/refine.md section 9).

It prints the nullity, the rank the rotations reach, the rank with the kink-preserving
rotations added, and how far their tangents are from the null space (theta part).
Needs python3-numpy, python3-torch and python3-mpmath (Debian).
"""
import itertools
import json
import sys

import mpmath as mp
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
mp.mp.prec = 300


def hexexact(s):
    """A C99 hexadecimal float string, exactly (as mpf)."""
    neg = s.startswith('-')
    s = s.lstrip('-')
    mant, e = s[2:].split('p')
    ip, fp = mant.split('.') if '.' in mant else (mant, '')
    v = mp.mpf(int(ip + fp, 16)) * mp.mpf(2) ** (int(e) - 4 * len(fp))
    return -v if neg else v


def load(path):
    d = json.load(open(path))
    blocks = d['blocks']
    names = ['H1'] + ['W%d' % l for l in range(1, 100) if 'W%d' % l in blocks]
    mats = []
    for nm in names:
        b = blocks[nm]
        r, c = b['rows'], b['cols']
        m = mp.matrix(r, c)
        for j in range(c):
            for i in range(r):
                m[i, j] = hexexact(b['dense'][i + r * j])
        mats.append(m)
    lam = mp.mpf(1) / 250
    if 'problem' in d and 'lambda' in d['problem']:
        num, _, den = str(d['problem']['lambda']).partition('/')
        lam = mp.mpf(int(num)) / (int(den) if den else 1)
    return mats, lam


def pattern(mats):
    """state[l] (l = 2..L): +1 / 0 (kink) / -1 per pre-activation entry, at 300 bits."""
    L = len(mats) - 1
    H, state = mats[0], {}
    for l in range(1, L):
        U = mats[l] * H
        mx = max(abs(U[i, j]) for i in range(U.rows) for j in range(U.cols))
        st = np.zeros((U.rows, U.cols), int)
        for i in range(U.rows):
            for j in range(U.cols):
                st[i, j] = 0 if abs(U[i, j]) <= mx * mp.mpf(2) ** -128 else (1 if U[i, j] > 0 else -1)
        state[l + 1] = st
        H = mp.matrix([[U[i, j] if st[i, j] > 0 else 0 for j in range(U.cols)] for i in range(U.rows)])
    return state


def main():
    if len(sys.argv) != 2 or sys.argv[1] in ('-h', '--help'):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    mats, lam = load(sys.argv[1])
    L = len(mats) - 1
    K = mats[-1].rows
    N = mats[0].cols
    state = pattern(mats)
    W = [np.array([[float(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]) for m in mats]
    shapes = [w.shape for w in W]
    offs = np.cumsum([0] + [r * c for r, c in shapes])
    n = int(offs[-1])

    def coord(b, i, j):
        return offs[b] + i + shapes[b][0] * j

    # dead units: in-row or out-column 0 to 40 digits (refine holds them at 0)
    dead = set()
    for l in range(1, L + 1):
        for a in range(shapes[l - 1][0]):
            if max(abs(mats[l - 1][a, j]) for j in range(shapes[l - 1][1])) * \
               max(abs(mats[l][i, a]) for i in range(shapes[l][0])) < mp.mpf(10) ** -40:
                dead.add((l, a))
    kinks = [(l, i, j) for l in sorted(state) for i in range(state[l].shape[0]) for j in range(N)
             if state[l][i, j] == 0 and (l, i) not in dead]
    theta0 = np.concatenate([w.ravel(order='F') for w in W])

    def unpack(t):
        return [t[offs[b]:offs[b + 1]].reshape(shapes[b][1], shapes[b][0]).T for b in range(len(shapes))]

    masks = {l: torch.tensor((state[l] > 0).astype(float)) for l in state}

    def lagrangian(t, mu):
        Ws = unpack(t)
        H, pen = Ws[0], 0
        for l in range(1, L):
            U = Ws[l] @ H
            for k, (ll, i, j) in enumerate(kinks):
                if ll == l + 1:
                    pen = pen + mu[k] * U[i, j]
            H = masks[l + 1] * U
        Z = Ws[L] @ H
        fit = ((Z - torch.eye(K, N)) ** 2).sum() / (2 * N)
        return fit + float(lam) / 2 * sum((w ** 2).sum() for w in Ws) + pen

    def ubar(t):
        Ws = unpack(t)
        H, out = Ws[0], []
        for l in range(1, L):
            U = Ws[l] @ H
            out += [U[i, j] for (ll, i, j) in kinks if ll == l + 1]
            H = masks[l + 1] * U
        return torch.stack(out) if out else torch.zeros(0)

    t = torch.tensor(theta0)
    x = t.clone().requires_grad_(True)
    g0 = torch.autograd.grad(lagrangian(x, torch.zeros(len(kinks))), x)[0].numpy()
    A = torch.autograd.functional.jacobian(ubar, t).numpy().reshape(len(kinks), n)
    mu = np.linalg.lstsq(A.T, -g0, rcond=None)[0]
    print('point: K = %d, L = %d, %d parameters, %d kinks, %d dead units; max |KKT residual| %.1e'
          % (K, L, n, len(kinks), len(dead), np.abs(A.T @ mu + g0).max()))
    Hs = torch.autograd.functional.hessian(lambda x: lagrangian(x, torch.tensor(mu)), t).numpy()
    free = np.ones(n, bool)
    for (l, a) in dead:
        free[[coord(l - 1, a, j) for j in range(shapes[l - 1][1])]] = False
        free[[coord(l, i, a) for i in range(shapes[l][0])]] = False
    fi = np.where(free)[0]
    J = np.block([[Hs[np.ix_(fi, fi)], A[:, fi].T], [A[:, fi], np.zeros((len(kinks), len(kinks)))]])
    U_, S_, Vt = np.linalg.svd(J)
    nullity = int((S_ < 1e-10 * S_[0]).sum())
    null_theta = Vt[len(S_) - nullity:, :len(fi)].T
    Qn = np.linalg.qr(null_theta)[0]
    print('reduced KKT Jacobian %d x %d: nullity %d (singular values below 1e-10 of the largest; next %.1e)'
          % (J.shape[0], J.shape[0], nullity, S_[len(S_) - nullity - 1]))

    def tangent(l, A_):
        s = [np.zeros_like(w) for w in W]
        s[l - 1] = A_ @ W[l - 1]
        s[l] = -W[l] @ A_
        return np.concatenate([x.ravel(order='F') for x in s])[fi]

    def rank(M):
        return np.linalg.matrix_rank(M, tol=1e-8 * np.linalg.norm(M, 2)) if M.size else 0

    rot, kpr = [], []
    for l in range(1, L + 1):
        d = shapes[l - 1][0]
        live = [a for a in range(d) if (l, a) not in dead]
        for a, b in itertools.combinations(live, 2):
            if l == 1 or (state[l][a] == state[l][b]).all():
                E = np.zeros((d, d))
                E[a, b], E[b, a] = 1, -1
                rot.append(tangent(l, E))
        if l == 1:
            continue
        lin = [a for a in live if (state[l][a] >= 0).all()]
        pairs = list(itertools.combinations(range(len(lin)), 2))
        Hp = W[0]
        for k in range(1, l - 1):
            Hp = (W[k] @ Hp) * (state[k + 1] > 0)
        Ul = (W[l - 1] @ Hp) * (state[l] != 0)
        rows = []
        for ii, a in enumerate(lin):
            for j in range(N):
                if state[l][a, j] == 0:
                    r = np.zeros(len(pairs))
                    for p, (i, k) in enumerate(pairs):
                        r[p] += Ul[lin[k], j] if i == ii else 0
                        r[p] -= Ul[lin[i], j] if k == ii else 0
                    rows.append(r)
        C = np.array(rows) if rows else np.zeros((0, len(pairs)))
        if len(pairs) == 0:
            continue
        if len(rows):
            u_, s_, v_ = np.linalg.svd(C)
            rc = int((s_ > 1e-10 * s_[0]).sum()) if len(s_) else 0
            sols = v_[rc:].T
        else:
            rc, sols = 0, np.eye(len(pairs))
        print('layer %d: %d live units, %d linear on the data; %d kink constraints of rank %d; %d kink-preserving '
              'skew matrices' % (l, len(live), len(lin), len(rows), rc, sols.shape[1]))
        for q in range(sols.shape[1]):
            E = np.zeros((shapes[l - 1][0],) * 2)
            for p, (i, k) in enumerate(pairs):
                E[lin[i], lin[k]], E[lin[k], lin[i]] = sols[p, q], -sols[p, q]
            kpr.append(tangent(l, E))
    R = np.array(rot).T if rot else np.zeros((len(fi), 0))
    P = np.array(kpr).T if kpr else np.zeros((len(fi), 0))
    both = np.hstack([R, P])
    res = np.linalg.norm(both - Qn @ (Qn.T @ both), axis=0) / np.maximum(np.linalg.norm(both, axis=0), 1e-300)
    print('rotations: rank %d; with the kink-preserving rotations: rank %d; nullity %d; unexplained %d'
          % (rank(R), rank(both), nullity, nullity - rank(both)))
    print('largest distance of a tangent (theta part, relative) from the null space: %.1e' % res.max())


if __name__ == '__main__':
    main()
