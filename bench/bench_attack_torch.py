#!/usr/bin/python3
# bench_attack_torch.py — the sparse L1 attack of SPEC.md §7.4 in PyTorch 1.13 CPU,
# for bench-attack: samples × iterations per second.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The seed's model (F 19, H 128, n_fc 16, C 2, Tanh/Tanh; logits, no dropout) and
# attack (seed preset: matrix 1-norm, threshold λ; κ, λ, SGD lr of §7.6), on
# batches of full-length (48-hour) sequences. One iteration = zero_grad, forward,
# per-sample loss, first/best bookkeeping, backward to P, SGD step, soft
# threshold and clamp — as AdversarialAttackTrainer does it. Two ways to run the
# LSTM: "packed" (pack_padded_sequence, as the reference code) and "full" (the
# padded batch straight into nn.LSTM, its fast path; valid here because every
# sequence is 48 steps long).
#
#   bench_attack_torch.py [--iterations N] [--threads N] B [B …]
# prints lines "<packed|full> <B> <samples·iterations per wall s> <… per CPU s>"

import argparse
import time

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

F, H, K, C, T = 19, 128, 16, 2, 48
KAPPA = 0.11026517141527109
LAMBDA = 1.6110442287425464e-05
LR = 0.014444271888351868


class Logits(nn.Module):
    def __init__(self, packed):
        super().__init__()
        self.lstm = nn.LSTM(F, H, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * H, K)
        self.out = nn.Linear(K, C)
        self.packed = packed

    def forward(self, x, lengths):
        if self.packed:
            p = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            o, _ = self.lstm(p)
            o, lens = pad_packed_sequence(o, batch_first=True)
            s = o[torch.arange(o.shape[0]), lens - 1, :]
        else:
            o, _ = self.lstm(x)
            s = o[:, -1, :]
        return self.out(torch.tanh(self.fc(torch.tanh(s))))


def run(packed, B, iterations):
    torch.manual_seed(0)
    model = Logits(packed)
    for p in model.parameters():
        p.requires_grad_(False)
    X = torch.rand(B, T, F)
    lengths = torch.full((B,), T, dtype=torch.int64)
    with torch.no_grad():
        labels = model(X, lengths).argmax(dim=1)
    ar = torch.arange(B)
    neg_kappa = torch.tensor(-KAPPA)

    def attack(n):
        P = torch.zeros(B, T, F, requires_grad=True)
        opt = torch.optim.SGD([P], lr=LR)
        first_loss = torch.full((B,), float("inf"))
        best_loss = torch.full((B,), float("inf"))
        first_p = torch.zeros(B, T, F)
        best_p = torch.zeros(B, T, F)
        for _ in range(n):
            opt.zero_grad()
            z = model(X + P, lengths)
            loss = torch.maximum(z[ar, labels] - z[ar, 1 - labels], neg_kappa) \
                + LAMBDA * torch.linalg.matrix_norm(P, ord=1)
            with torch.no_grad():
                success = z.argmax(dim=1) != labels
                new_first = success & torch.isinf(first_loss)
                first_loss[new_first] = loss[new_first]
                first_p[new_first] = P[new_first]
                new_best = success & (best_loss > loss)
                best_loss[new_best] = loss[new_best]
                best_p[new_best] = P[new_best]
            loss.mean().backward()
            opt.step()
            with torch.no_grad():
                d = P.data
                d[torch.abs(d) <= LAMBDA] = 0
                pos = d > LAMBDA
                d[pos] = d[pos] - LAMBDA
                neg = d < -LAMBDA
                d[neg] = d[neg] + LAMBDA
                d.copy_(torch.clamp(d, min=-X, max=1 - X))

    attack(3)  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    attack(iterations)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return B * iterations / wall, B * iterations / cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("batches", type=int, nargs="+")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    for B in a.batches:
        for mode in ("packed", "full"):
            wall, cpu = run(mode == "packed", B, a.iterations)
            print(f"{mode} {B} {wall:.1f} {cpu:.1f}", flush=True)


if __name__ == "__main__":
    main()
