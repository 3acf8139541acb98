#!/usr/bin/python3
# make-attack-reference.py — PyTorch 1.13 reference runs of the sparse L1 attack
# (SPEC.md §7.4) for test-attack, under both protocol presets.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The model is the module tree of make-model-reference.py (children 0..5 = logits,
# as the reference's LogitNoDropoutModelBuilder leaves it), with fixed small
# weights. The attack runs E iterations on one batch, as AdversarialAttackTrainer
# does, and writes one little-endian file per case:
#
#   header   int32[16]: magic 0x31414250 ("PBA1"), version 1, F, H, K, C, act_lstm,
#            act_fc (0 ReLU, 1 Tanh), preset (0 standard, 1 seed), B, T, n_params,
#            E, optimiser (0 SGD, 1 RMSprop, 2 Adam), 0, 0
#   hyper    float64[4]: kappa, lambda, lr, 0
#   params   float32[n_params]   the state_dict, concatenated
#   lengths  int32[B]
#   labels   int32[B]            the model's predictions on x (all correct)
#   x        float32[B*T*F]      in [0, 1], zero beyond each length
#   per iteration e = 0 … E-1:
#     losses float64[B]          ℓ_b of the forward pass of iteration e
#     pert   float32[B*T*F]      P after iteration e's update
#   first, then best:
#     iteration int32[B] (−1 none), loss float64[B] (+inf none), pert float32[B*T*F]
#
# Presets: seed = matrix 1-norm in the loss (its gradient included), threshold λ;
# standard = element-wise ‖P‖₁ in the recorded loss, gradient of the hinge only,
# threshold lr·λ (the proximal step of the L1 term).
#
# Regenerate (writes tests/data/attack-*.bin):
#   /usr/bin/python3 tests/tools/make-attack-reference.py tests/data

import importlib.util
import struct
import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("model_ref", HERE / "make-model-reference.py")
model_ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(model_ref)

MAGIC = 0x31414250
VERSION = 1
STANDARD, SEED = 0, 1
RELU, TANH = 0, 1
SGD, RMSPROP, ADAM = 0, 1, 2


def soft_threshold(p, x, lam):
    # AdversarialAttackTrainer.apply_soft_bounded_threshold (notebook-era version)
    zero_mask = torch.abs(p) <= lam
    p[zero_mask] = 0
    pos_mask = p > lam
    p[pos_mask] = p[pos_mask] - lam
    neg_mask = p < -1 * lam
    p[neg_mask] = p[neg_mask] + lam
    p.copy_(torch.clamp(p, min=-x, max=1 - x))


def make_case(path, seed, F, H, K, act_lstm, act_fc, preset, optim, lengths, E,
              kappa, lam, lr):
    C = 2
    rng = np.random.default_rng(seed)
    B, T = len(lengths), max(lengths) + 1
    full = model_ref.build(F, H, K, C, act_lstm, act_fc, 0.0, preset)
    sd = full.state_dict()
    with torch.no_grad():
        for key, t in sd.items():
            scale = 0.6 if "lstm" in key else 0.5
            t.copy_(torch.from_numpy(rng.uniform(-scale, scale, t.shape).astype(np.float32)))
    model = full[:6]
    for p in model.parameters():
        p.requires_grad_(False)

    x = rng.uniform(0.0, 1.0, (B, T, F)).astype(np.float32)
    for b, L in enumerate(lengths):
        x[b, L:, :] = 0.0
    X = torch.from_numpy(x)
    lt = torch.tensor(lengths, dtype=torch.int64)
    with torch.no_grad():
        labels = model((X, lt)).argmax(dim=1)

    P = torch.zeros(B, T, F, requires_grad=True)
    if optim == SGD:
        opt = torch.optim.SGD([P], lr=lr)
    elif optim == RMSPROP:
        opt = torch.optim.RMSprop([P], lr=lr)
    else:
        opt = torch.optim.Adam([P], lr=lr)

    ar = torch.arange(B)
    neg_kappa = torch.tensor(-kappa, dtype=torch.float32)
    first = [np.full(B, -1, np.int32), np.full(B, np.inf), np.zeros((B, T, F), np.float32)]
    best = [np.full(B, -1, np.int32), np.full(B, np.inf), np.zeros((B, T, F), np.float32)]
    trace = []
    for e in range(E):
        opt.zero_grad()
        z = model((X + P, lt))
        hinge = torch.maximum(z[ar, labels] - z[ar, 1 - labels], neg_kappa)
        if preset == SEED:
            ell = hinge + lam * torch.linalg.matrix_norm(P, ord=1)
            total = ell.mean()
        else:
            ell = hinge + lam * P.abs().sum(dim=(1, 2))
            total = hinge.mean()
        success = z.argmax(dim=1) != labels
        losses = ell.detach().numpy().astype(np.float64)
        for b in range(B):
            if not success[b]:
                continue
            if first[0][b] < 0:
                first[0][b], first[1][b], first[2][b] = e, losses[b], P[b].detach().numpy()
            if best[1][b] > losses[b]:
                best[0][b], best[1][b], best[2][b] = e, losses[b], P[b].detach().numpy()
        total.backward()
        opt.step()
        with torch.no_grad():
            soft_threshold(P.data, X, lam if preset == SEED else lr * lam)
        trace.append((losses, P.detach().numpy().copy()))

    params = [t.numpy().ravel() for t in full.state_dict().values()]
    n_params = sum(a.size for a in params)
    with open(path, "wb") as f:
        f.write(struct.pack("<16i", MAGIC, VERSION, F, H, K, C, act_lstm, act_fc, preset,
                            B, T, n_params, E, optim, 0, 0))
        f.write(struct.pack("<4d", kappa, lam, lr, 0.0))
        f.write(np.concatenate(params).astype("<f4").tobytes())
        f.write(np.asarray(lengths, dtype="<i4").tobytes())
        f.write(labels.numpy().astype("<i4").tobytes())
        f.write(x.astype("<f4").tobytes())
        for losses, pert in trace:
            f.write(losses.astype("<f8").tobytes())
            f.write(pert.astype("<f4").tobytes())
        for rec in (first, best):
            f.write(rec[0].astype("<i4").tobytes())
            f.write(rec[1].astype("<f8").tobytes())
            f.write(rec[2].astype("<f4").tobytes())
    nnz = int((trace[-1][1] != 0).sum())
    print(f"{path}: labels={labels.tolist()} first={first[0].tolist()} best={best[0].tolist()} "
          f"nonzero at end={nnz}/{B * T * F}")


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data")
    torch.manual_seed(0)
    lengths = [6, 3, 7, 1, 5]
    make_case(out / "attack-standard-sgd.bin", 21, 5, 6, 4, TANH, TANH, STANDARD, SGD,
              lengths, 16, 0.3, 0.002, 5.0)
    make_case(out / "attack-seed-sgd.bin", 21, 5, 6, 4, TANH, TANH, SEED, SGD,
              lengths, 16, 0.3, 0.002, 5.0)
    make_case(out / "attack-standard-adam.bin", 21, 5, 6, 4, TANH, TANH, STANDARD, ADAM,
              lengths, 20, 0.1, 0.003, 0.02)
    make_case(out / "attack-seed-rmsprop.bin", 21, 5, 6, 4, TANH, TANH, SEED, RMSPROP,
              lengths, 20, 0.0, 0.003, 0.02)

if __name__ == "__main__":
    main()
