#!/usr/bin/python3
"""Fashion-MNIST FGSM robustness curves: Perturb against PyTorch 1.13 (CPU).

1. `perturb train` trains the BiLSTM (standard preset: summary = [forward final
   state, backward final state], cross-entropy on the logits) on the first
   --limit training images; `perturb fgsm` draws its curve on the first
   --test-limit test images (x' = clip(x + eps * sign(grad_x CE), 0, 1)).
2. The same curve computed by PyTorch on *our* trained weights (read from the
   project's checkpoint): checks the FGSM implementation at scale — the two
   columns should agree up to float rounding.
3. A PyTorch model of the same architecture trained with the same budget
   (Adam, lr, batch, epochs, class-balanced sampling with replacement) and its
   curve: how a reference training run's robustness compares with ours.

Accuracy and AUC (one-vs-rest macro average of the softmax probabilities, as
pb_metrics_roc_auc_ovr and scikit-learn compute it) against eps.

Usage (from the build directory):
  OPENBLAS_NUM_THREADS=2 /usr/bin/python3 ../bench/bench_fgsm_fashion_mnist.py src/cli/perturb \
      [--limit 10000] [--test-limit 2000] [--epochs 3] [--hidden 32] [--fc 16] [--batch 32] \
      [--lr 2e-3] [--threads 2] [--eps 0,0.005,0.01,0.02,0.05,0.1,0.2]
"""
import argparse
import gzip
import json
import os
import sqlite3
import struct
import subprocess
import tempfile
import time

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
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
    """Module tree of SPEC.md §3.1 without the softmax; every image has 28 steps."""

    def __init__(self, hidden, fc):
        super().__init__()
        self.lstm = nn.LSTM(28, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, fc)
        self.out = nn.Linear(fc, 10)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)
        return self.out(torch.tanh(self.fc(torch.tanh(torch.cat([h_n[0], h_n[1]], dim=1)))))


def read_safetensors(blob):
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    out = {}
    for name, t in header.items():
        if name == "__metadata__" or t["dtype"] != "F32":
            continue
        a, b = t["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], "<f4").reshape(t["shape"]).copy())
    return out


def load_ours(path, hidden, fc):
    db = sqlite3.connect(path)
    blob = db.execute("SELECT state FROM checkpoints ORDER BY epoch DESC LIMIT 1").fetchone()[0]
    st = read_safetensors(blob)
    model = Net(hidden, fc)
    sd = {k.replace("0.lstm.", "lstm."): v for k, v in st.items() if k.startswith("0.lstm.")}
    sd.update({"fc.weight": st["3.weight"], "fc.bias": st["3.bias"],
               "out.weight": st["5.weight"], "out.bias": st["5.bias"]})
    model.load_state_dict(sd, strict=True)
    return model


def fgsm_curve(model, x, y, eps):
    model.eval()
    xt = x.clone().requires_grad_(True)
    grads, probs = [], {}
    for s in range(0, len(x), 250):
        xb = xt[s:s + 250].detach().requires_grad_(True)
        loss = nn.functional.cross_entropy(model(xb), y[s:s + 250])
        loss.backward()
        grads.append(xb.grad.sign())
    g = torch.cat(grads)
    rows = []
    for e in eps:
        xp = torch.clamp(x + np.float32(e) * g, 0.0, 1.0)
        with torch.no_grad():
            p = torch.cat([torch.softmax(model(xp[s:s + 250]), 1) for s in range(0, len(x), 250)])
        acc = (p.argmax(1) == y).double().mean().item()
        auc = roc_auc_score(y.numpy(), p.double().numpy(), multi_class="ovr", average="macro")
        rows.append((e, acc, auc))
        probs[e] = p
    return rows


def train_torch(a, xtr, ytr):
    torch.manual_seed(a.seed)
    model = Net(a.hidden, a.fc)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    counts = torch.bincount(ytr).double()
    sampler = torch.utils.data.WeightedRandomSampler(1.0 / counts[ytr], len(ytr), True)
    ce = nn.CrossEntropyLoss()
    for _ in range(a.epochs):
        model.train()
        idx = torch.tensor(list(sampler))
        for s in range(0, len(idx), a.batch):
            b = idx[s:s + a.batch]
            opt.zero_grad()
            ce(model(xtr[b]), ytr[b]).backward()
            opt.step()
    return model


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cli")
    p.add_argument("--limit", type=int, default=10000)
    p.add_argument("--test-limit", type=int, default=2000)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--fc", type=int, default=16)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=12345678)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--eps", default="0,0.005,0.01,0.02,0.05,0.1,0.2")
    a = p.parse_args()
    eps = [float(e) for e in a.eps.split(",")]
    torch.set_num_threads(a.threads)

    with tempfile.TemporaryDirectory() as tmp:
        proj = os.path.join(tmp, "fm.perturb")
        subprocess.run([a.cli, "project", "new", proj], check=True, capture_output=True)
        t0 = time.perf_counter()
        subprocess.run([a.cli, "train", proj, "--fashion-mnist", "--limit", str(a.limit),
                        "--valid-limit", str(a.test_limit), "--hidden", str(a.hidden),
                        "--fc", str(a.fc), "--act-lstm", "tanh", "--act-fc", "tanh",
                        "--dropout", "0", "--epochs", str(a.epochs), "--eval-every", str(a.epochs),
                        "--checkpoint-every", str(a.epochs), "--batch-size", str(a.batch),
                        "--lr", str(a.lr), "--seed", str(a.seed), "--json"],
                       check=True, capture_output=True)
        t_train = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = subprocess.run([a.cli, "fgsm", proj, "--run", "1", "--fashion-mnist", "--limit",
                              str(a.test_limit), "--eps", a.eps, "--no-perturbations", "--json"],
                             check=True, capture_output=True, text=True).stdout
        t_fgsm = time.perf_counter() - t0
        ours = json.loads(out)
        ours_model = load_ours(proj, a.hidden, a.fc)

    xte, yte = load("t10k", a.test_limit)
    t0 = time.perf_counter()
    check = fgsm_curve(ours_model, xte, yte, eps)
    t_fgsm_torch = time.perf_counter() - t0
    xtr, ytr = load("train", a.limit)
    t0 = time.perf_counter()
    ref_model = train_torch(a, xtr, ytr)
    t_train_torch = time.perf_counter() - t0
    ref = fgsm_curve(ref_model, xte, yte, eps)

    print(f"Fashion-MNIST: train {a.limit} images, {a.epochs} epochs, BiLSTM H={a.hidden} "
          f"FC={a.fc} tanh/tanh, Adam lr {a.lr}, batch {a.batch}; FGSM on {a.test_limit} test images")
    print(f"{'eps':>6} | {'ours acc':>8} {'AUC':>6} | {'torch on our weights':>20} | "
          f"{'torch-trained acc':>17} {'AUC':>6}")
    for pt, c, r in zip(ours["points"], check, ref):
        print(f"{pt['epsilon']:6.3f} | {pt['accuracy']:8.4f} {pt['auc']:6.4f} | "
              f"{c[1]:9.4f} {c[2]:10.4f} | {r[1]:17.4f} {r[2]:6.4f}")
    print(f"max |ours - torch on our weights|: accuracy "
          f"{max(abs(pt['accuracy'] - c[1]) for pt, c in zip(ours['points'], check)):.2e}, AUC "
          f"{max(abs(pt['auc'] - c[2]) for pt, c in zip(ours['points'], check)):.2e}")
    print(f"time: perturb train {t_train:.1f} s, torch train {t_train_torch:.1f} s; "
          f"perturb fgsm {t_fgsm:.1f} s (process, data loading included), "
          f"torch fgsm {t_fgsm_torch:.1f} s")


if __name__ == "__main__":
    main()
