"""Repeat, with numpy, the per-point work of the rank-one or the generic
dense path of geometry.Estimate on ridge logistic regression, and compare
its time.

    go run ./examples/torchcompare/logistic -mode dense [-path dense] -p 100 -n 200 -out DIR
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 examples/torchcompare/dense.py DIR [-percomponent]

At each point θ of the ball (uniform, antithetic pairs, as the Go path) it
forms c_i = σ(m_i)(1 − σ(m_i)), G = Σ w_i c_i a_i a_i' (a symmetric rank-k
update), H = G + ρI, and then the eigenvalues of K(θ) in two ways:

- cholesky, the Go path's: H = U'U, U⁻¹, the certificate
  1/‖U⁻¹‖_F² > 2·1e-10·min(‖H‖_F, ‖H‖_∞), q_i = w_i c_i² ‖Ua_i‖²,
  Z = AU⁻¹, T = UU' − ρI and K = Z'diag(q)Z − T², values only;
- eigen: q_i from the Cholesky factor as above, M = Σ q_i a_i a_i' − GHG,
  the eigen-decomposition of H with vectors, W = U₊Λ₊^{-1/2} and the
  eigenvalues of W'MW;
- per-component (with -percomponent, slow): the structure-blind
  computation, each component Hessian D_i = c_i a_i a_i' + ρI − H formed as
  a p×p matrix and M = Σ w_i D_i H D_i, then as eigen.

When Go timed the generic dense path (-path dense), whose components are
p×p matrices, it runs instead:

- generic, the Go path's: D_i formed as a p×p matrix, Y_i = D_iU' by a
  triangular product, M = Σ w_i Y_i Y_i' by symmetric rank-k updates, and
  the eigenvalues of U⁻ᵀMU⁻¹;
- per-component, as above.

It prints the time per point of each next to Go's, and the ratio of Go to
the fastest, and s, t (means of the pointwise extremes; the points differ
from Go's, so they agree only to Monte Carlo error). Nothing in the Go
module depends on this script.
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

    def common(th):
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
        return g, h, u, q

    def cholesky(th):
        g, h, u, q = common(th)
        uinv, info = sl.lapack.dtrtri(u, lower=0)
        lo = 1.0 / np.sum(uinv * uinv)
        hi = min(np.linalg.norm(h), np.abs(h).sum(axis=1).max())
        if not lo > 2e-10 * hi:
            raise RuntimeError("H(θ) not certified positive definite")
        z = sl.blas.dtrmm(1.0, uinv, a, side=1)  # a U⁻¹
        k = sl.blas.dsyrk(1.0, z * np.sqrt(q)[:, None], trans=1)
        t = sl.blas.dtrmm(1.0, u, u, side=1, trans_a=1)  # U U'
        t -= ridge * np.eye(p)
        k = sl.blas.dsyrk(-1.0, t, beta=1.0, c=k, trans=1)
        kv = sl.lapack.dsyev(k, compute_v=0, lower=0)[0]
        return kv[0], kv[-1]

    def eigen(th, per_component=False):
        g, h, u, q = common(th)
        if per_component:
            m = y * (a @ th)
            s = 1.0 / (1.0 + np.exp(-m))
            c = s * (1 - s)
            mm = np.zeros((p, p))
            for i in range(n):
                d = c[i] * np.outer(a[i], a[i]) + ridge * np.eye(p) - h
                mm += w[i] * (d @ h @ d)
        else:
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

    go_ms = meta["go_ms_per_point"]
    fastest = float("inf")
    def generic(th):
        g, h, u, q = common(th)
        m = y * (a @ th)
        s = 1.0 / (1.0 + np.exp(-m))
        c = s * (1 - s)
        mm = np.zeros((p, p), order="F")
        for i in range(n):
            d = c[i] * np.outer(a[i], a[i]) + ridge * np.eye(p) - h
            yy = sl.blas.dtrmm(1.0, u, d, side=1, trans_a=1)  # D U'
            mm = sl.blas.dsyrk(w[i], yy, beta=1.0, c=mm, overwrite_c=1)
        mm = np.triu(mm) + np.triu(mm, 1).T
        uinv, info = sl.lapack.dtrtri(u, lower=0)
        k = uinv.T @ mm @ uinv
        kv = sl.lapack.dsyev(k, compute_v=0, lower=0)[0]
        return kv[0], kv[-1]

    if meta.get("path") == "dense":
        variants = [("generic", generic), ("per-component", lambda th: eigen(th, True))]
    else:
        variants = [("cholesky", cholesky), ("eigen", eigen)]
        if "-percomponent" in sys.argv[2:]:
            variants.append(("per-component", lambda th: eigen(th, True)))
    for name, per_point in variants:
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            res = [per_point(th) for th in pts]
            best = min(best, time.perf_counter() - t0)
        inf = np.mean([r[0] for r in res])
        sup = np.mean([r[1] for r in res])
        ms = 1e3 * best / len(pts)
        fastest = min(fastest, ms)
        print(f"numpy {np.__version__} ({name}), p = {p}, N = {n}, {len(pts)} points: best of 3 {best:.3f} s, {ms:.2f} ms per point")
        print(f"  mean pointwise inf {inf:.6g}, sup {sup:.6g} (Go s = {meta['s']:.6g}, t = {meta['t']:.6g})")
    print(f"Go: {go_ms:.2f} ms per point; Go/numpy (fastest) = {go_ms / fastest:.2f}")


if __name__ == "__main__":
    main()
