#!/usr/bin/python3
"""Fixture for tests/test-train-parity.c: three optimiser steps on the model.

Builds the reference module tree (tests/tools/make-model-reference.py `build`,
SPEC §3.1) with fixed small weights, and for each case runs three training
steps of torch 1.13 — zero_grad, forward on a mixed-length batch, the preset's
loss (CE on logits: standard; CE on the softmax output: seed), backward,
optimizer.step() — recording each step's loss and the final state_dict.
Dropout p = 0 so no random mask is involved.

Writes tests/data/train-parity-reference.json.
Run from the repository root: /usr/bin/python3 tests/tools/make-train-parity-reference.py
"""
import importlib.util
import json
import os

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "train-parity-reference.json")
spec = importlib.util.spec_from_file_location("mref", os.path.join(HERE, "make-model-reference.py"))
mref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mref)

F, H, K, C = 3, 4, 5, 2
LENGTHS = [5, 2, 7, 1, 4, 7]
CASES = [
    ("adam-standard-tanh", "Adam", {"lr": 0.01}, mref.STANDARD, mref.TANH, mref.TANH),
    ("sgd-momentum-seed-relu", "SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01},
     mref.SEED, mref.RELU, mref.TANH),
    ("rmsprop-centered-standard", "RMSprop", {"lr": 0.003, "centered": True, "momentum": 0.5},
     mref.STANDARD, mref.TANH, mref.RELU),
    ("adam-amsgrad-seed", "Adam", {"lr": 0.005, "amsgrad": True, "weight_decay": 0.001},
     mref.SEED, mref.TANH, mref.TANH),
]


def main():
    rng = np.random.default_rng(2024)
    B, T = len(LENGTHS), max(LENGTHS)
    x = rng.uniform(0.0, 1.0, (B, T, F)).astype(np.float32)
    for b, L in enumerate(LENGTHS):
        x[b, L:, :] = 0.0
    labels = np.array([0, 1, 1, 0, 1, 0], dtype=np.int64)
    init = {}
    proto = mref.build(F, H, K, C, mref.TANH, mref.TANH, 0.0, mref.STANDARD)
    for key, t in proto.state_dict().items():
        init[key] = rng.uniform(-0.5, 0.5, t.shape).astype(np.float32)

    cases = []
    for name, kind, kwargs, protocol, act_lstm, act_fc in CASES:
        model = mref.build(F, H, K, C, act_lstm, act_fc, 0.0, protocol)
        model.load_state_dict({k: torch.from_numpy(v) for k, v in init.items()})
        model.train()
        opt = getattr(torch.optim, kind)(model.parameters(), foreach=False, **kwargs)
        xt = torch.from_numpy(x)
        lt = torch.tensor(LENGTHS, dtype=torch.int64)
        yt = torch.from_numpy(labels)
        losses = []
        for _ in range(3):
            opt.zero_grad()
            logits = model[:6]((xt, lt))
            out = logits if protocol == mref.STANDARD else model[6](logits)
            loss = nn.CrossEntropyLoss()(out, yt)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        settings = {k: (list(v) if isinstance(v, tuple) else v) for k, v in opt.defaults.items()
                    if isinstance(v, (int, float, bool, tuple))}
        cases.append({"name": name, "optimizer": kind, "settings": settings,
                      "protocol": "standard" if protocol == mref.STANDARD else "seed",
                      "act_lstm": "relu" if act_lstm == mref.RELU else "tanh",
                      "act_fc": "relu" if act_fc == mref.RELU else "tanh",
                      "losses": losses,
                      "final": {k: [float(a) for a in v.flatten()]
                                for k, v in model.state_dict().items()}})

    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "F": F, "H": H, "K": K, "C": C,
                   "lengths": LENGTHS, "labels": labels.tolist(),
                   "x": [float(a) for a in x.flatten()],
                   "init": {k: [float(a) for a in v.flatten()] for k, v in init.items()},
                   "cases": cases}, f)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
