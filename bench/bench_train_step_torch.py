#!/usr/bin/python3
# bench_train_step_torch.py — PyTorch 1.13 CPU counterpart of bench-train-step.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Same model, length mix and step (zero_grad, train-mode forward, loss, backward,
# SGD update) as bench/bench-train-step.c. Two ways:
#   packed — pack_padded_sequence + output at L-1 / final states, as the reference
#   full   — nn.LSTM on the padded [B, 48, 19] tensor (its fast path; ignores
#            lengths, so it does more work but without packing overhead)
# Prints "<mode> <batch> <seq/s> <seq per CPU-second>" per line. Run with OPENBLAS_NUM_THREADS=1; torch
# uses --threads (2).
#
#   bench_train_step_torch.py [--steps N] [--threads N] [--seed-preset] BATCH...

import argparse
import time

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

HIST = {6: 1, 13: 1, 14: 1, 16: 2, 17: 4, 18: 3, 19: 8, 20: 12, 21: 25, 22: 49, 23: 84,
        24: 144, 25: 126, 26: 110, 27: 93, 28: 95, 29: 84, 30: 90, 31: 75, 32: 99, 33: 98,
        34: 113, 35: 148, 36: 152, 37: 189, 38: 199, 39: 220, 40: 178, 41: 231, 42: 203,
        43: 211, 44: 191, 45: 185, 46: 221, 47: 474, 48: 37832}


class BiLSTM(nn.Module):
    def __init__(self, packed, seed_preset):
        super().__init__()
        self.lstm = nn.LSTM(19, 128, batch_first=True, bidirectional=True)
        self.packed = packed
        self.seed_preset = seed_preset

    def forward(self, inputs):
        x, lengths = inputs
        if not self.packed:
            out, (h_n, _) = self.lstm(x)
            return torch.cat([h_n[0], h_n[1]], dim=1)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, (h_n, _) = self.lstm(packed)
        if self.seed_preset:
            unpacked, lens = pad_packed_sequence(out, batch_first=True)
            return unpacked[torch.arange(unpacked.shape[0]), lens - 1, :]
        return torch.cat([h_n[0], h_n[1]], dim=1)


def run(mode, batch, steps, seed_preset):
    rng = np.random.default_rng(2023)
    lens_all = np.array(list(HIST.keys()))
    p = np.array(list(HIST.values()), dtype=float)
    p /= p.sum()
    model = nn.Sequential(BiLSTM(mode == "packed", seed_preset), nn.Tanh(), nn.Dropout(0.029),
                          nn.Linear(256, 16), nn.Tanh(), nn.Linear(16, 2), nn.Softmax(dim=1))
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    ce = nn.CrossEntropyLoss()
    batches = []
    for _ in range(8):
        lengths = rng.choice(lens_all, size=batch, p=p)
        x = rng.uniform(0, 1, (batch, 48, 19)).astype(np.float32)
        for b, L in enumerate(lengths):
            x[b, L:] = 0
        y = (rng.uniform(0, 1, batch) < 0.11).astype(np.int64)
        batches.append((torch.from_numpy(x), torch.from_numpy(lengths), torch.from_numpy(y)))

    for k in range(steps + 2):
        if k == 2:
            t0 = time.perf_counter()
            c0 = time.process_time()
        x, lengths, y = batches[k % len(batches)]
        opt.zero_grad()
        z = model[:6]((x, lengths))
        loss = ce(model[6](z), y) if seed_preset else ce(z, y)
        loss.backward()
        opt.step()
    return steps * batch / (time.perf_counter() - t0), steps * batch / (time.process_time() - c0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--seed-preset", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("batches", type=int, nargs="+")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for batch in args.batches:
        for mode in ("packed", "full"):
            # packed is 10-20x slower: fewer steps keep the run short
            steps = max(2, args.steps // 3) if mode == "packed" else args.steps
            wall, cpu = run(mode, batch, steps, args.seed_preset)
            print(f"{mode} {batch} {wall:.1f} {cpu:.1f}", flush=True)


if __name__ == "__main__":
    main()
