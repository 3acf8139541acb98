#!/usr/bin/python3
"""Fashion-MNIST: `perturb train` against the same BiLSTM in PyTorch 1.13 (CPU).

Both train the same model (BiLSTM H, tanh, Linear(2H, FC), tanh, Linear(FC, 10);
summary = [forward final state, backward final state] — the `standard` preset,
cross-entropy on the logits), with Adam, the same batch size, learning rate and
epochs, class-balanced sampling with replacement (WeightedRandomSampler), then
evaluate on the test split. Every image has 28 steps, so PyTorch runs its
full-length (unpacked) path, which for equal lengths is the same computation
as the packed one. Prints test accuracies side by side and the wall-time ratio
(training + final evaluation, data loading excluded on both sides).

Usage (from the build directory):
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 ../bench/bench_fashion_mnist.py src/cli/perturb \
      [--limit 20000] [--epochs 3] [--hidden 128] [--fc 64] [--batch 64] [--lr 1e-3] [--threads 1]
"""
import argparse
import gzip
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from torch import nn

DIR = "/usr/share/datasets/fashion-mnist"


def load(prefix, limit):
    with gzip.open(os.path.join(DIR, prefix + "-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read()[8:], np.uint8).astype(np.int64)
    with gzip.open(os.path.join(DIR, prefix + "-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read()[16:], np.uint8).reshape(-1, 28, 28).astype(np.float32) / 255
    if limit:
        x, y = x[:limit], y[:limit]
    return torch.from_numpy(x.copy()), torch.from_numpy(y.copy())


class Net(nn.Module):
    def __init__(self, hidden, fc):
        super().__init__()
        self.lstm = nn.LSTM(28, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(nn.Tanh(), nn.Linear(2 * hidden, fc), nn.Tanh(),
                                  nn.Linear(fc, 10))

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)
        return self.head(torch.cat([h_n[0], h_n[1]], dim=1))


def run_torch(a):
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    xtr, ytr = load("train", a.limit)
    xte, yte = load("t10k", 0)
    model = Net(a.hidden, a.fc)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    counts = torch.bincount(ytr).double()
    sampler = torch.utils.data.WeightedRandomSampler(1.0 / counts[ytr], len(ytr), True)
    ce = nn.CrossEntropyLoss()
    t0 = time.perf_counter()
    c0 = time.process_time()
    for _ in range(a.epochs):
        model.train()
        idx = torch.tensor(list(sampler))
        for s in range(0, len(idx), a.batch):
            b = idx[s:s + a.batch]
            opt.zero_grad()
            loss = ce(model(xtr[b]), ytr[b])
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(xte[s:s + 250]).argmax(1) for s in range(0, len(xte), 250)])
    return (time.perf_counter() - t0, time.process_time() - c0,
            (pred == yte).double().mean().item())


def run_perturb(a):
    with tempfile.TemporaryDirectory() as tmp:
        project = os.path.join(tmp, "fm.perturb")
        subprocess.run([a.perturb, "project", "new", project], check=True,
                       stdout=subprocess.DEVNULL)
        t0 = time.perf_counter()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([a.perturb, "train", project, "--fashion-mnist", "--threads",
                              str(a.threads),
                              "--limit", str(a.limit), "--epochs", str(a.epochs),
                              "--hidden", str(a.hidden), "--fc", str(a.fc),
                              "--act-lstm", "tanh", "--act-fc", "tanh", "--dropout", "0",
                              "--optimizer", "Adam", "--lr", str(a.lr),
                              "--batch-size", str(a.batch), "--eval-batch-size", "250",
                              "--eval-every", "0", "--checkpoint-every", "0",
                              "--seed", str(a.seed), "--json"],
                             check=True, capture_output=True, text=True).stdout
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        db = sqlite3.connect(project)
        seconds = db.execute("SELECT sum(seconds) FROM epoch_metrics").fetchone()[0]
        db.close()
    return seconds, wall, cpu, json.loads(out)["metrics"]["accuracy"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("perturb")
    p.add_argument("--limit", type=int, default=20000)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--fc", type=int, default=64)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    ours_s, ours_wall, ours_cpu, ours_acc = run_perturb(a)
    torch_s, torch_cpu, torch_acc = run_torch(a)
    print("Fashion-MNIST, %d training images x %d epochs, H %d, FC %d, batch %d, Adam lr %g, "
          "%d thread(s) each" % (a.limit or 60000, a.epochs, a.hidden, a.fc, a.batch, a.lr,
                                 a.threads))
    print("%-18s %10s %14s %10s" % ("", "test acc.", "train+eval s", "CPU s"))
    print("%-18s %9.2f%% %14.1f %10.1f  (process wall %.1f s incl. loading; CPU incl. loading)"
          % ("perturb train", 100 * ours_acc, ours_s, ours_cpu, ours_wall))
    print("%-18s %9.2f%% %14.1f %10.1f" % ("PyTorch 1.13 CPU", 100 * torch_acc, torch_s,
                                             torch_cpu))
    print("accuracy difference %+.2f points; PyTorch/perturb: wall %.2f, CPU %.2f"
          % (100 * (ours_acc - torch_acc), torch_s / ours_s, torch_cpu / ours_cpu))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
