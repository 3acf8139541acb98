#!/usr/bin/python3
# make-attribution-reference.py — PyTorch 1.13 reference fixtures for test-attribution.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Uses the module tree of make-model-reference.py (SPEC.md §3.1) with fixed small
# weights, a mixed-length batch with inputs in [0, 1] (padding holds junk that must
# never be read), and computes with autograd:
#
#   * gradient × input: A = dS/dx * x on the valid steps, divided by max |A|
#     per sample;
#   * integrated gradients: trapezoid rule on alpha = k/m, k = 0..m, from the
#     baseline b (zeros or the given sequence); gap = |sum A - (S(x) - S(b))|;
#   * FGSM: x' = clamp(x + eps * sign(d loss / dx), 0, 1) on the valid steps, loss
#     = CrossEntropyLoss on the logits (standard) or on the softmax (seed).
#
# The target score S is the logit (model[:6]) or the softmax probability
# (model[6](model[:6](x))) of the target class: the predicted class (argmax of
# the clean logits) or the label.
#
# File layout, little-endian:
#   header   int32[24]: magic 0x31414250 ("PBA1"), version 1, F, H, K, C, act_lstm,
#            act_fc (0 ReLU, 1 Tanh), protocol (0 standard, 1 seed), B, T, n_params,
#            n_tensors (12), score (0 logit, 1 probability), target (0 predicted,
#            1 label), ig_steps, has_baseline, n_eps, 0 ...
#   sizes    int32[n_tensors]
#   params   float32[n_params]      the state_dict, concatenated
#   lengths  int32[B]
#   labels   int32[B]
#   x        float32[B*T*F]
#   baseline float32[T*F]           zeros when has_baseline = 0
#   targets  int32[B]
#   scores   float64[B]             S(x)
#   gi       float32[B*T*F]         normalised gradient x input (0 on padding)
#   ig       float32[B*T*F]         integrated gradients (0 on padding)
#   ig_base  float64[B]             S(b)
#   ig_gap   float64[B]
#   eps      float64[n_eps]
#   fgsm     float32[n_eps*B*T*F]   x' - x (0 on padding)
#   preds    int32[n_eps*B]         argmax on x'
#
# Regenerate (writes tests/data/attribution-*.bin):
#   /usr/bin/python3 tests/tools/make-attribution-reference.py tests/data

import importlib.util
import struct
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("mref", HERE / "make-model-reference.py")
mref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mref)

MAGIC = 0x31414250
VERSION = 1
LOGIT, PROBABILITY = 0, 1
PREDICTED, LABEL = 0, 1


def score_of(model, x, lt, targets, score):
    logits = model[:6]((x, lt))
    out = logits if score == LOGIT else model[6](logits)
    return out[torch.arange(x.shape[0]), targets], logits


def make_case(path, seed, F, H, K, C, act_lstm, act_fc, protocol, lengths, score, target,
              ig_steps, has_baseline, eps):
    rng = np.random.default_rng(seed)
    B, T = len(lengths), max(lengths) + 1
    model = mref.build(F, H, K, C, act_lstm, act_fc, 0.25, protocol)
    model.eval()
    with torch.no_grad():
        for key, t in model.state_dict().items():
            scale = 0.6 if "lstm" in key else 0.5
            t.copy_(torch.from_numpy(rng.uniform(-scale, scale, t.shape).astype(np.float32)))

    x = rng.uniform(0.0, 1.0, (B, T, F)).astype(np.float32)
    valid = np.zeros((B, T, F), dtype=bool)
    for b, L in enumerate(lengths):
        x[b, L:, :] = rng.uniform(5.0, 9.0, (T - L, F))
        valid[b, :L, :] = True
    labels = rng.integers(0, C, B).astype(np.int32)
    baseline = (rng.uniform(0.0, 1.0, (T, F)).astype(np.float32) if has_baseline
                else np.zeros((T, F), dtype=np.float32))
    lt = torch.tensor(lengths, dtype=torch.int64)

    # targets and S(x)
    with torch.no_grad():
        logits = model[:6]((torch.from_numpy(x), lt))
    targets = (logits.argmax(dim=1) if target == PREDICTED
               else torch.from_numpy(labels).long())

    # gradient x input
    xt = torch.from_numpy(x).requires_grad_(True)
    s, _ = score_of(model, xt, lt, targets, score)
    s.sum().backward()
    scores = s.detach().double().numpy()
    gi = np.where(valid, xt.grad.numpy() * x, 0.0).astype(np.float32)
    for b in range(B):
        m = np.abs(gi[b]).max()
        if m > 0:
            gi[b] /= m

    # integrated gradients, trapezoid rule
    xb = np.broadcast_to(baseline, (B, T, F))
    acc = np.zeros((B, T, F))
    ig_base = None
    for k in range(ig_steps + 1):
        alpha = k / ig_steps
        w = 0.5 / ig_steps if k in (0, ig_steps) else 1.0 / ig_steps
        xa = torch.from_numpy(np.where(valid, xb + np.float32(alpha) * (x - xb), 0.0)
                              .astype(np.float32)).requires_grad_(True)
        sa, _ = score_of(model, xa, lt, targets, score)
        sa.sum().backward()
        if k == 0:
            ig_base = sa.detach().double().numpy()
        acc += w * xa.grad.double().numpy()
    ig = np.where(valid, (x.astype(np.float64) - xb) * acc, 0.0)
    ig_gap = np.abs(ig.reshape(B, -1).sum(axis=1) - (scores - ig_base))
    ig = ig.astype(np.float32)

    # FGSM
    xt = torch.from_numpy(x).requires_grad_(True)
    logits = model[:6]((xt, lt))
    ce = nn.CrossEntropyLoss()
    loss = ce(logits if protocol == mref.STANDARD else model[6](logits),
              torch.from_numpy(labels).long())
    loss.backward()
    g = xt.grad.numpy()
    gmin = np.abs(g[valid]).min()
    assert gmin > 1e-9, f"a loss gradient is {gmin:g}: its sign would be fragile, pick another seed"
    fgsm, preds = [], []
    for e in eps:
        xp = np.where(valid, np.clip(x + np.float32(e) * np.sign(g), 0.0, 1.0), x).astype(np.float32)
        fgsm.append(np.where(valid, xp - x, 0.0).astype(np.float32))
        with torch.no_grad():
            preds.append(model[:6]((torch.from_numpy(xp), lt)).argmax(dim=1).numpy())

    params = [t.numpy().ravel() for t in model.state_dict().values()]
    sizes = [a.size for a in params]
    header = [MAGIC, VERSION, F, H, K, C, act_lstm, act_fc, protocol, B, T, sum(sizes),
              len(sizes), score, target, ig_steps, int(has_baseline), len(eps)]
    header += [0] * (24 - len(header))
    with open(path, "wb") as f:
        f.write(struct.pack("<24i", *header))
        f.write(struct.pack(f"<{len(sizes)}i", *sizes))
        f.write(np.concatenate(params).astype("<f4").tobytes())
        f.write(np.asarray(lengths, dtype="<i4").tobytes())
        f.write(labels.astype("<i4").tobytes())
        f.write(x.astype("<f4").tobytes())
        f.write(baseline.astype("<f4").tobytes())
        f.write(targets.numpy().astype("<i4").tobytes())
        f.write(scores.astype("<f8").tobytes())
        f.write(gi.astype("<f4").tobytes())
        f.write(ig.astype("<f4").tobytes())
        f.write(ig_base.astype("<f8").tobytes())
        f.write(ig_gap.astype("<f8").tobytes())
        f.write(np.asarray(eps, dtype="<f8").tobytes())
        f.write(np.stack(fgsm).astype("<f4").tobytes())
        f.write(np.stack(preds).astype("<i4").tobytes())
    delta = np.abs(scores - ig_base)
    print(f"{path}: B={B} T={T} |S(x)-S(b)| min {delta.min():.4f}, IG gap max "
          f"{ig_gap.max():.2e} (m={ig_steps}), min |grad loss| {gmin:.2e}")


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data")
    torch.set_num_threads(1)
    eps = [0.0, 0.01, 0.05, 0.2]
    make_case(out / "attribution-tanh-c2-standard.bin", 11, 5, 8, 6, 2, mref.TANH, mref.TANH,
              mref.STANDARD, [7, 3, 7, 1, 5, 2], LOGIT, PREDICTED, 32, False, eps)
    make_case(out / "attribution-relu-c3-seed.bin", 12, 4, 6, 5, 3, mref.RELU, mref.TANH,
              mref.SEED, [4, 6, 2, 6, 1], PROBABILITY, LABEL, 16, True, eps)


if __name__ == "__main__":
    main()
