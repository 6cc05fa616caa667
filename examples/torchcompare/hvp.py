"""Compare this library's MLP Hessian-vector product with PyTorch autograd.

Run `go run ./examples/torchcompare -out DIR` first; then

    /usr/bin/python3 examples/torchcompare/hvp.py DIR [--threads N] [--reps R]

builds the same tanh cross-entropy MLPs (64-32-10 and 64-1500-10, float64) on
the same standardized digits, loads the same parameters theta and direction v,
computes F, grad F and the full-batch HVP by double backward, reports the
largest relative differences from the Go results, and times one HVP (forward,
backward with create_graph, second backward), one gradient, and the top k
Hessian eigenvalues (k = 10 for 64-32-10, 20 for 64-1500-10) by
scipy.sparse.linalg.eigsh (ARPACK, which='LA') on the autograd HVP, against
the Go spectral.Top times in go.json. Nothing in the Go module depends on
this script.

PyTorch runs on --threads threads (default 1): torch.set_num_threads sets
its own pool only, while its matrix products go to the system BLAS
(Debian: OpenBLAS), which starts its own threads when it loads unless
OPENBLAS_NUM_THREADS (OMP_NUM_THREADS, MKL_NUM_THREADS) say otherwise, so
this script sets those before importing numpy and torch. --threads 0 leaves
every library at its default. Each time line reports cpu/wall, the process
CPU time over the wall time of the timed calls, which is near 1 when one
thread did the work. Compare with the Go side run as
OPENBLAS_NUM_THREADS=1 (native BLAS) and GOMAXPROCS noted.
"""

import argparse
import gzip
import json
import os
import statistics
import time

_pre = argparse.ArgumentParser(add_help=False)
_pre.add_argument("--threads", type=int, default=1)
THREADS = _pre.parse_known_args()[0].threads
if THREADS:
    # Read by OpenBLAS (and OpenMP, MKL) when numpy and torch load them.
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = str(THREADS)

import numpy as np
import scipy.sparse.linalg as sla
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, "..", "..", "problems", "learning", "testdata", "digits.csv.gz")


def load_digits():
    with gzip.open(DIGITS, "rt") as f:
        header = f.readline().strip().split(",")
        data = np.loadtxt(f, delimiter=",")
    y = data[:, header.index("digit")].astype(np.int64)
    x = np.delete(data, header.index("digit"), axis=1)
    # learning.Dataset.Standardize: population std; constant columns scale 1.
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    const = x.min(axis=0) == x.max(axis=0)
    mean[const] = x[0, const]
    std[const] = 1.0
    return (x - mean) / std, y


def timing(reps, fn):
    """Least and median wall time of reps calls after one warm-up, and the
    process CPU time over the wall time of those calls."""
    fn()
    ts = []
    c0 = time.process_time()
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts), statistics.median(ts), (time.process_time() - c0) / sum(ts)


def rel(a, b):
    """max_j |a_j - b_j| / max_j |b_j|, and max_j |a_j - b_j| / |b_j| over the
    entries with |b_j| >= 1e-3 max_k |b_k|."""
    d = np.abs(a - b)
    big = np.abs(b) >= 1e-3 * np.max(np.abs(b))
    return "%.2e (entrywise %.2e)" % (np.max(d) / np.max(np.abs(b)), np.max(d[big] / np.abs(b[big])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--threads", type=int, default=1, help="torch and BLAS threads (0: the libraries' defaults)")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--eigtol", type=float, default=1e-8, help="eigsh relative tolerance")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    goj = json.load(open(os.path.join(args.dir, "go.json")))
    x, y = load_digits()
    X = torch.tensor(x, dtype=torch.float64)
    Y = torch.tensor(y)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, OPENBLAS_NUM_THREADS {blas}")
    for name, g in sorted(goj.items(), key=lambda kv: kv[1]["p"]):
        h = g["hidden"]
        load = lambda s: np.fromfile(os.path.join(args.dir, f"{name}_{s}.bin"), dtype="<f8")
        theta, v, ggrad, ghv = load("theta"), load("v"), load("grad"), load("hv")
        model = torch.nn.Sequential(
            torch.nn.Linear(64, h), torch.nn.Tanh(), torch.nn.Linear(h, 10)
        ).double()
        torch.nn.utils.vector_to_parameters(torch.tensor(theta), model.parameters())
        params = list(model.parameters())
        vs = []
        off = 0
        for p in params:
            vs.append(torch.tensor(v[off : off + p.numel()]).view_as(p))
            off += p.numel()

        def loss():
            return torch.nn.functional.cross_entropy(model(X), Y)

        def grad():
            return torch.autograd.grad(loss(), params)

        def hvp():
            gs = torch.autograd.grad(loss(), params, create_graph=True)
            gv = sum((gi * vi).sum() for gi, vi in zip(gs, vs))
            return torch.autograd.grad(gv, params)

        flat = lambda ts: torch.cat([t.reshape(-1) for t in ts]).detach().numpy()
        f = loss().item()
        tg = flat(grad())
        th = flat(hvp())
        h_min, h_med, h_cpu = timing(args.reps, hvp)
        g_min, g_med, g_cpu = timing(args.reps, grad)
        k = g["eigs_k"]
        pdim = g["p"]

        def hvp_np(x):
            x = np.asarray(x, dtype=np.float64).reshape(-1)
            xs, o = [], 0
            for p in params:
                xs.append(torch.from_numpy(x[o : o + p.numel()]).view_as(p))
                o += p.numel()
            gs = torch.autograd.grad(loss(), params, create_graph=True)
            gv = sum((gi * xi).sum() for gi, xi in zip(gs, xs))
            return flat(torch.autograd.grad(gv, params))

        op = sla.LinearOperator((pdim, pdim), matvec=hvp_np, dtype=np.float64)
        calls = {}

        def eigs():
            calls["v"] = sla.eigsh(op, k=k, which="LA", tol=args.eigtol, v0=np.ones(pdim), return_eigenvectors=False)

        e_min, e_med, e_cpu = timing(max(1, args.reps // 5), eigs)
        tv = np.sort(calls["v"])[::-1]
        gv = np.array(g["eigs_values"])
        print(
            f"64-{h}-10 p={g['p']}: |F_go - F_torch|/|F| = {abs(g['f'] - f) / abs(f):.2e}, "
            f"grad max rel diff = {rel(ggrad, tg)}, HVP max rel diff = {rel(ghv, th)}"
        )
        print(f"  top {k} eigenvalues: max rel diff go vs eigsh {np.max(np.abs(gv - tv) / np.abs(tv)):.2e} (Go {g['eigs_steps']} HVPs)")
        for what, tmin, tmed, cpu in (("HVP ", h_min, h_med, h_cpu), ("grad", g_min, g_med, g_cpu), ("eigs", e_min, e_med, e_cpu)):
            key = what.strip().lower()
            gmin, gmed = g[key + "_min_seconds"], g[key + "_seconds"]
            print(
                f"  {what} least: go {gmin * 1e3:.2f} ms, torch {tmin * 1e3:.2f} ms, go/torch = {gmin / tmin:.2f}; "
                f"median: go {gmed * 1e3:.2f} ms, torch {tmed * 1e3:.2f} ms, go/torch = {gmed / tmed:.2f}; torch cpu/wall {cpu:.2f}"
            )


if __name__ == "__main__":
    main()
