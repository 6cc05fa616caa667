"""Repeat, with numpy, the per-point work of the dense rank-one path of
geometry.Estimate on ridge logistic regression, and compare its time.

    go run ./examples/torchcompare/logistic -mode dense -p 100 -n 200 -out DIR
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 examples/torchcompare/dense.py DIR

At each point θ of the ball (uniform, antithetic pairs, as the Go path) it
forms c_i = σ(m_i)(1 − σ(m_i)), G = Σ w_i c_i a_i a_i' (a symmetric rank-k
update), H = G + ρI, the Cholesky factor of H, q_i = w_i c_i² a_i'H⁻¹a_i,
M = Σ q_i a_i a_i' − G H G, the eigen-decomposition of H with vectors,
W = U₊Λ₊^{-1/2} and the eigenvalues of K = W'MW: the operations of the Go
path, in the same order. It prints the time per point next to Go's and the
ratio, and s, t (mean of the pointwise extremes; the points differ from
Go's, so they agree only to Monte Carlo error). Nothing in the Go module
depends on this script.
"""

import json
import os
import sys
import time

import numpy as np
import scipy.linalg as sl


def main():
    d = sys.argv[1]
    meta = json.load(open(os.path.join(d, "go.json")))
    p, n, ridge, radius = meta["p"], meta["n"], meta["ridge"], meta["radius"]
    samples = meta["samples"]
    a = np.fromfile(os.path.join(d, "a.bin")).reshape(n, p)
    y = np.fromfile(os.path.join(d, "y.bin"))
    y = np.where(y > 0, 1.0, -1.0)
    x = np.fromfile(os.path.join(d, "x.bin"))
    w = np.full(n, 1.0 / n)
    rng = np.random.default_rng(1)
    pts = []
    for _ in range(samples // 2):
        z = rng.standard_normal(p)
        u = radius * rng.random() ** (1.0 / p) * z / np.linalg.norm(z)
        pts += [x + u, x - u]

    def per_point(th):
        m = y * (a @ th)
        s = 1.0 / (1.0 + np.exp(-m))
        c = s * (1 - s)
        b = a * np.sqrt(w * c)[:, None]
        g = sl.blas.dsyrk(1.0, b, trans=1)  # upper triangle of b'b
        g = np.triu(g) + np.triu(g, 1).T
        h = g + ridge * np.eye(p)
        u = sl.cholesky(h, lower=False)
        yy = sl.blas.dtrmm(1.0, u, a, side=1, trans_a=1)  # a U'
        q = w * c * c * np.einsum("ij,ij->i", yy, yy)
        bq = a * np.sqrt(q)[:, None]
        mm = sl.blas.dsyrk(1.0, bq, trans=1)
        mm = np.triu(mm) + np.triu(mm, 1).T
        mm -= g @ (h @ g)
        vals, vecs = np.linalg.eigh(h)
        pos = vals > 1e-10 * np.abs(vals).max()
        wv = vecs[:, pos] / np.sqrt(vals[pos])
        k = wv.T @ mm @ wv
        kv = np.linalg.eigvalsh((k + k.T) / 2)
        return kv[0], kv[-1]

    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        res = [per_point(th) for th in pts]
        best = min(best, time.perf_counter() - t0)
    inf = np.mean([r[0] for r in res])
    sup = np.mean([r[1] for r in res])
    ms = 1e3 * best / len(pts)
    print(f"numpy {np.__version__}, p = {p}, N = {n}, {len(pts)} points: best of 3 {best:.3f} s, {ms:.2f} ms per point")
    print(f"Go: {meta['go_ms_per_point']:.2f} ms per point; Go/numpy = {meta['go_ms_per_point'] / ms:.2f}")
    print(f"mean pointwise inf {inf:.6g}, sup {sup:.6g} (Go s = {meta['s']:.6g}, t = {meta['t']:.6g})")


if __name__ == "__main__":
    main()
