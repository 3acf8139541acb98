#!/usr/bin/python3
"""Fixture for tests/test-optim.c: three optimiser steps from torch 1.13.

Writes tests/data/optim-reference.json: for each configuration, the start
parameters (two tensors, flattened and concatenated: [4, 5] and [7]), the
gradient fed at each of three steps, and the parameters after each step, as
torch.optim.{SGD,RMSprop,Adam} (single-tensor path, foreach=False) compute them.

Run from the repository root: /usr/bin/python3 tests/tools/make-optim-reference.py
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                   "optim-reference.json")

CONFIGS = [
    ("sgd-plain", "SGD", {"lr": 0.1}),
    ("sgd-momentum", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1,
                             "weight_decay": 0.01}),
    ("sgd-nesterov", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True,
                             "weight_decay": 0.001}),
    ("sgd-maximize", "SGD", {"lr": 0.1, "momentum": 0.5, "maximize": True}),
    ("rmsprop-default", "RMSprop", {}),
    ("rmsprop-centered-momentum", "RMSprop", {"lr": 0.003, "alpha": 0.9, "eps": 1e-6,
                                              "momentum": 0.5, "centered": True,
                                              "weight_decay": 0.01}),
    ("adam-default", "Adam", {}),
    ("adam-amsgrad", "Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6,
                              "weight_decay": 0.01, "amsgrad": True}),
    ("adam-reference", "Adam", {"lr": 2.784280532512521e-4}),
]


def main():
    g = torch.Generator().manual_seed(4)
    p0 = [torch.randn(4, 5, generator=g), torch.randn(7, generator=g)]
    grads = [[torch.randn(t.shape, generator=g) * (0.1 + s) for t in p0] for s in range(3)]
    # a zero and a tiny gradient element exercise eps and sign handling
    grads[0][1][0] = 0.0
    grads[1][1][1] = 1e-9

    cases = []
    for name, kind, kwargs in CONFIGS:
        params = [t.clone().requires_grad_(True) for t in p0]
        opt = getattr(torch.optim, kind)(params, foreach=False, **kwargs)
        after = []
        for s in range(3):
            for p, gr in zip(params, grads[s]):
                p.grad = gr.clone()
            opt.step()
            after.append([float(v) for v in torch.cat([p.detach().flatten() for p in params])])
        defaults = {k: (list(v) if isinstance(v, tuple) else v)
                    for k, v in opt.defaults.items()
                    if isinstance(v, (int, float, bool, tuple))}
        cases.append({"name": name, "optimizer": kind, "settings": defaults,
                      "params": [float(v) for v in torch.cat([t.flatten() for t in p0])],
                      "grads": [[float(v) for v in torch.cat([t.flatten() for t in gs])]
                                for gs in grads],
                      "after": after})

    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=0)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
