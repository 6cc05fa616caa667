"""Write the PyTorch reference values that problems/learning tests against.

    /usr/bin/python3 examples/torchcompare/fixture.py

For two small MLPs on the first 40 standardized digits (tanh with
cross-entropy, one hidden layer; softplus with the squared loss on one-hot
targets, two hidden layers and an L2 term), draws parameters theta and a
direction v, and writes F, grad F and the full-batch Hessian-vector product
(autograd double backward, float64) to
problems/learning/testdata/torch_mlp.json.gz. Nothing in the Go module runs
this script; it documents where the reference values come from.
"""

import gzip
import json
import os

import numpy as np
import torch

from hvp import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "problems", "learning", "testdata", "torch_mlp.json.gz")

CASES = [
    {"activation": "tanh", "loss": "cross-entropy", "hidden": [5], "l2": 0.0},
    {"activation": "softplus", "loss": "squared", "hidden": [6, 4], "l2": 0.01},
]


def main():
    torch.manual_seed(1)
    x, y = load_digits()
    x, y = x[:40], y[:40]
    X = torch.tensor(x, dtype=torch.float64)
    Y = torch.tensor(y)
    out = {"rows": 40, "cases": []}
    for case in CASES:
        widths = [64] + case["hidden"] + [10]
        layers = []
        for i in range(1, len(widths)):
            layers.append(torch.nn.Linear(widths[i - 1], widths[i]))
            if i < len(widths) - 1:
                # threshold: keep log(1 + e^z) exact instead of linear above 20
                layers.append(torch.nn.Tanh() if case["activation"] == "tanh" else torch.nn.Softplus(threshold=1000))
        model = torch.nn.Sequential(*layers).double()
        params = list(model.parameters())
        p = sum(q.numel() for q in params)
        theta = torch.randn(p, dtype=torch.float64) * 0.5
        v = torch.randn(p, dtype=torch.float64)
        torch.nn.utils.vector_to_parameters(theta, params)
        vs = []
        off = 0
        for q in params:
            vs.append(v[off : off + q.numel()].view_as(q))
            off += q.numel()

        def loss():
            o = model(X)
            if case["loss"] == "cross-entropy":
                f = torch.nn.functional.cross_entropy(o, Y)
            else:
                t = torch.nn.functional.one_hot(Y, 10).double()
                f = 0.5 * ((o - t) ** 2).sum(dim=1).mean()
            sq = sum((q * q).sum() for q in params)
            return f + 0.5 * case["l2"] * sq

        f = loss()
        gs = torch.autograd.grad(f, params, create_graph=True)
        gv = sum((gi * vi).sum() for gi, vi in zip(gs, vs))
        hv = torch.autograd.grad(gv, params)
        flat = lambda ts: torch.cat([t.reshape(-1) for t in ts]).detach().numpy().tolist()
        out["cases"].append(dict(case, p=p, theta=theta.tolist(), v=v.tolist(), f=f.item(), grad=flat(gs), hv=flat(hv)))
    with gzip.GzipFile(OUT, "wb", mtime=0) as fh:
        fh.write(json.dumps(out).encode())


if __name__ == "__main__":
    main()
